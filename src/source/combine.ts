/**
 * Combines input sources GNU parallel's way: unlinked sources form a cartesian product
 * (first source outermost), linked sources (`:::+`, `--link`) advance together, the
 * shorter ones wrapping around. The first group streams; later ones are held in memory.
 */

/**
 * Zips linked sources: with `--link` the result is as long as the longest source and
 * shorter ones wrap; with `:::+` it stops at the shortest (GNU parallel 20221122).
 */
export function link(groups: string[][][], wrap = true): string[][] {
  const lengths = groups.map((g) => g.length);
  const len = wrap ? Math.max(...lengths) : Math.min(...lengths);
  if (groups.some((g) => g.length === 0)) return [];
  const out: string[][] = [];
  for (let i = 0; i < len; i++) out.push(groups.flatMap((g) => g[i % g.length]));
  return out;
}

/** The cartesian product of a streamed first group and materialised later groups. */
export async function* product(first: AsyncIterable<string[]>, rest: string[][][]): AsyncGenerator<string[]> {
  if (rest.some((g) => g.length === 0)) return;
  const idx = rest.map(() => 0);
  for await (const head of first) {
    if (rest.length === 0) {
      yield head;
      continue;
    }
    idx.fill(0);
    for (;;) {
      yield [...head, ...rest.flatMap((g, i) => g[idx[i]])];
      let k = rest.length - 1;
      while (k >= 0 && ++idx[k] === rest[k].length) idx[k--] = 0;
      if (k < 0) break;
    }
  }
}
