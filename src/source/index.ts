import type { Readable } from 'node:stream';
import { WeftError } from '../errors.js';
import type { InputSource, InputSpec } from '../spec/types.js';
import { toRows } from './columns.js';
import { link, product } from './combine.js';
import { checkReadable, located, readFile } from './open.js';
import { trimmer } from './records.js';

/** The argument rows of a run, and the column names when `--header :` is on. */
export interface ArgRows {
  names?: string[];
  rows: AsyncIterable<string[]>;
}

/** Rejects values a shell command line cannot carry (NUL), naming the source and record. */
async function* checked(name: string, rows: AsyncIterable<string[]>): AsyncGenerator<string[]> {
  let record = 0;
  for await (const row of rows) {
    record++;
    if (row.some((v) => v.includes('\0'))) {
      throw new WeftError(
        'E_INPUT',
        'contains a NUL byte, which no command line can hold (use -0 to split at NUL)',
        {
          location: { file: name, record },
        },
      );
    }
    yield row;
  }
}

async function collect(it: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of it) out.push(r);
  return out;
}

function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Opens every input source (files are checked before anything runs), reads headers,
 * and yields one row of argument values per job-to-be, in GNU parallel's order.
 */
export async function openArgs(spec: InputSpec, stdin: Readable): Promise<ArgRows> {
  const sources: InputSource[] = spec.sources.length ? spec.sources : [{ kind: 'stdin' }];
  for (const s of sources) if (s.kind === 'file' && s.path !== '-') await checkReadable(s.path);
  const trim = trimmer(spec.trim);
  const iters = sources.map((s) => {
    if (s.kind === 'values')
      return checked('arguments', toRows({ values: s.values }, spec.delimiter, spec.columns, trim));
    const fromStdin = s.kind === 'stdin' || s.path === '-';
    const name = fromStdin ? 'stdin' : (s as { path: string }).path;
    const stream = fromStdin ? stdin : readFile(name);
    return checked(name, located(name, toRows({ stream, name }, spec.delimiter, spec.columns, trim)));
  });

  let names: string[] | undefined;
  if (spec.header) {
    names = [];
    for (const it of iters) {
      const r = await it.next();
      if (!r.done) names.push(...r.value);
    }
  }

  // Group linked sources with the one before them.
  const groups: number[][] = [];
  sources.forEach((s, i) => {
    if (i > 0 && (spec.link || s.link)) groups[groups.length - 1].push(i);
    else groups.push([i]);
  });
  const materialise = async (g: number[]) =>
    g.length === 1
      ? collect(iters[g[0]])
      : link(await Promise.all(g.map((i) => collect(iters[i]))), spec.link);

  // A CSV file is read whole before any job starts, so a bad record fails the run before
  // it does anything (stdin still streams).
  if (spec.columns.kind === 'csv') {
    for (let i = 0; i < iters.length; i++) {
      if (sources[i].kind === 'file' && (sources[i] as { path: string }).path !== '-') {
        iters[i] = toAsync(await collect(iters[i]));
      }
    }
  }
  const [firstGroup, ...restGroups] = groups;
  const first: AsyncIterable<string[]> =
    firstGroup.length === 1 ? iters[firstGroup[0]] : toAsync(await materialise(firstGroup));
  const rest = await Promise.all(restGroups.map(materialise));
  let rows: AsyncIterable<string[]> = product(first, rest);
  if (spec.shuffle) rows = toAsync(shuffle(await collect(rows)));
  return { names, rows };
}

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
