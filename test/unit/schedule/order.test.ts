import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toSpec } from '../../../src/cli/to-spec.js';
import { WeftError } from '../../../src/errors.js';
import { keyOf, orderJobs } from '../../../src/schedule/order.js';
import type { PlannedJob } from '../../../src/schedule/scheduler.js';
import type { OrderSpec } from '../../../src/spec/types.js';

const ctx = { replace: '{}', plus: false };

async function* jobsOf(rows: string[][]): AsyncGenerator<PlannedJob> {
  let seq = 0;
  for (const args of rows) yield { seq: ++seq, args, stdin: { kind: 'none' } };
}

/** The start order (as input sequence numbers) of `rows` under `order`. */
async function startOrder(rows: string[][], order: OrderSpec, names?: string[]): Promise<number[]> {
  return (await orderJobs(jobsOf(rows), order, { ...ctx, names })).map((j) => j.seq);
}

const dir = mkdtempSync(join(tmpdir(), 'weft-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: number) => {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(bytes));
  return path;
};

describe('orderJobs', () => {
  it('starts the highest cost first and keeps input order among equal costs', async () => {
    const rows = [['1'], ['5'], ['3'], ['5'], ['0.5'], ['3']];
    expect(await startOrder(rows, { by: 'lpt', cost: '{}' })).toEqual([2, 4, 3, 6, 1, 5]);
  });

  it('keeps sequence numbers and arguments with their job', async () => {
    const jobs = await orderJobs(
      jobsOf([
        ['a', '1'],
        ['b', '9'],
      ]),
      { by: 'lpt', cost: '{2}' },
      ctx,
    );
    expect(jobs.map((j) => [j.seq, j.args])).toEqual([
      [2, ['b', '9']],
      [1, ['a', '1']],
    ]);
  });

  it('sizes the files a job names by default (file-size), summed over its arguments', async () => {
    const small = file('small', 10);
    const big = file('big', 3000);
    const mid = file('mid', 500);
    const rows = [[small], [big], ['no-such-file'], [mid, mid, mid, small]];
    // Costs: 10, 3000, 0 (missing), 1510.
    expect(await startOrder(rows, { by: 'lpt' })).toEqual([2, 4, 1, 3]);
  });

  it('sizes the file one column names with file-size:{N}', async () => {
    const a = file('a', 100);
    const b = file('b', 200);
    const rows = [
      ['9999', a],
      ['1', b],
    ];
    expect(await startOrder(rows, { by: 'lpt', cost: 'file-size:{2}' })).toEqual([2, 1]);
  });

  it('reads a cost column by its --header name', async () => {
    const rows = [
      ['x', '2'],
      ['y', '7'],
      ['z', '4'],
    ];
    expect(await startOrder(rows, { by: 'lpt', cost: '{weight}' }, ['name', 'weight'])).toEqual([2, 3, 1]);
  });

  it('orders by priority (higher first), then by cost, then by input', async () => {
    // args: priority, cost
    const rows = [
      ['1', '5'],
      ['2', '1'],
      ['1', '9'],
      ['2', '3'],
      ['0', '100'],
      ['2', '3'],
    ];
    expect(await startOrder(rows, { by: 'input', priority: '{1}' })).toEqual([2, 4, 6, 1, 3, 5]);
    expect(await startOrder(rows, { by: 'lpt', cost: '{2}', priority: '{1}' })).toEqual([4, 6, 2, 3, 1, 5]);
  });

  it('accepts negative and fractional numbers with surrounding blanks', async () => {
    const rows = [[' -1 '], ['2.5'], ['-0.5']];
    expect(await startOrder(rows, { by: 'input', priority: '{}' })).toEqual([2, 3, 1]);
  });

  it('refuses a value that is not a number, naming the job', async () => {
    const err = await orderJobs(jobsOf([['3'], ['abc']]), { by: 'lpt', cost: '{}' }, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_INPUT');
    expect((err as WeftError).message).toBe("--cost '{}' is 'abc' for job 2 (abc), not a number");
    const empty = await orderJobs(jobsOf([['a']]), { by: 'input', priority: '{2}' }, ctx).catch((e) => e);
    expect((empty as WeftError).message).toMatch(/^--priority '\{2\}' is '' for job 1/);
  });

  it('refuses a source with no replacement string', () => {
    expect(() => keyOf('weight', '--cost', ctx)).toThrow(/names no replacement string/);
    expect(() => keyOf('file-size:x', '--cost', ctx)).toThrow(/names no replacement string/);
  });
});

describe('--order, --cost, --priority flags', () => {
  it('map to JobSpec.order', () => {
    expect(toSpec({}, ['echo']).order).toBeUndefined();
    expect(toSpec({ order: 'input' }, ['echo']).order).toBeUndefined();
    expect(toSpec({ order: 'lpt' }, ['echo']).order).toEqual({ by: 'lpt' });
    expect(toSpec({ order: 'lpt', cost: '{2}' }, ['echo']).order).toEqual({ by: 'lpt', cost: '{2}' });
    expect(toSpec({ priority: '{1}' }, ['echo']).order).toEqual({ by: 'input', priority: '{1}' });
  });

  it('refuse --cost without --order lpt, and pipe mode', () => {
    expect(() => toSpec({ cost: '{2}' }, ['echo'])).toThrow('--cost applies with --order lpt');
    expect(() => toSpec({ order: 'lpt', pipe: true }, ['wc'])).toThrow(/need argument input/);
    expect(() => toSpec({ priority: '{1}', pipe: true }, ['wc'])).toThrow(/need argument input/);
  });
});
