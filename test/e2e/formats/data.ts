// Deterministic inputs for the format e2e tests.

/** One CSV/TSV record as generated: its raw bytes and its decoded fields. */
export interface CsvRecord {
  id: string;
  kind: string;
  note: string;
  raw: string;
}

/**
 * `n` records `id,kind,note` under a header. Notes cycle through the hard cases: a quoted
 * newline, a quoted delimiter, `""` escapes, a plain field, and two quoted newlines in a row.
 */
export function makeCsv(n: number, opts: { sep?: string; eol?: string } = {}) {
  const sep = opts.sep ?? ',';
  const eol = opts.eol ?? '\n';
  const header = ['id', 'kind', 'note'].join(sep) + eol;
  const records: CsvRecord[] = [];
  for (let i = 1; i <= n; i++) {
    const kind = `k${i % 4}`;
    let note: string;
    let quoted: string;
    switch (i % 5) {
      case 0:
        note = `multi${eol}line ${i}`;
        quoted = `"${note}"`;
        break;
      case 1:
        note = `delim${sep} ${i}`;
        quoted = `"${note}"`;
        break;
      case 2:
        note = `say "${i}"`;
        quoted = `"say ""${i}"""`;
        break;
      case 3:
        note = `plain${i}`;
        quoted = note;
        break;
      default:
        note = `two${eol}${eol}newlines ${i}`;
        quoted = `"${note}"`;
    }
    records.push({
      id: String(i),
      kind,
      note: note.replaceAll('\r', ''),
      raw: [i, kind, quoted].join(sep) + eol,
    });
  }
  return { header, records, text: header + records.map((r) => r.raw).join('') };
}

/** `n` JSON objects with ids 1..n, a key `k`, a nested `user.name`, and strings full of JSON syntax. */
export function makeObjects(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    k: `k${(i * 7) % 5}`,
    user: { name: `u${i % 3}` },
    s: i % 2 ? 'commas, ] brackets } and "quotes"' : 'new\nline \\ backslash [{',
    list: [i, [i + 1, { deep: [] }]],
  }));
}

/** Lines "1\n" .. "n\n". */
export const seq = (from: number, to: number): string =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

/** Array [from .. to]. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
