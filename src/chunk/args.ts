import type { JobSpec } from '../spec/types.js';
import { shellQuote } from '../template/quote.js';

/** The longest command line weft builds with -X/-m (Linux caps one argument at 128 KiB). */
export const MAX_LINE = 120_000;

/**
 * Groups argument rows into the arguments of each job: one row per job, up to n rows
 * (`-n`), exactly n rows (`-N`), or as many as fit on a command line (`-X`, `-m`),
 * spread evenly over the job slots as GNU parallel does.
 */
export async function* groupArgs(
  rows: AsyncIterable<string[]>,
  grouping: JobSpec['grouping'],
  jobs: number,
): AsyncGenerator<string[]> {
  if (grouping.kind === 'single') {
    yield* rows;
    return;
  }
  if (grouping.kind === 'max' || grouping.kind === 'exact') {
    if (grouping.n === 0) {
      for await (const _ of rows) yield [];
      return;
    }
    let batch: string[] = [];
    let count = 0;
    for await (const r of rows) {
      batch.push(...r);
      if (++count === grouping.n) {
        yield batch;
        batch = [];
        count = 0;
      }
    }
    if (count > 0) yield batch;
    return;
  }
  const all: string[][] = [];
  for await (const r of rows) all.push(r);
  const perJob = Math.max(1, Math.ceil(all.length / Math.max(1, jobs)));
  let batch: string[] = [];
  let count = 0;
  let len = 0;
  for (const r of all) {
    const add = r.reduce((n, v) => n + shellQuote(v).length + 1, 0);
    if (count > 0 && (count === perJob || len + add > MAX_LINE)) {
      yield batch;
      batch = [];
      count = 0;
      len = 0;
    }
    batch.push(...r);
    count++;
    len += add;
  }
  if (count > 0) yield batch;
}
