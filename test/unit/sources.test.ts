import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { groupArgs, MAX_LINE } from '../../src/chunk/args.js';
import { link, product } from '../../src/source/combine.js';
import { openArgs } from '../../src/source/index.js';
import { splitRecords, trimmer } from '../../src/source/records.js';
import type { InputSpec } from '../../src/spec/types.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* rowsOf(rows: string[][]): AsyncGenerator<string[]> {
  yield* rows;
}

const col = (...vs: string[]) => vs.map((v) => [v]);

describe('product', () => {
  it('one source passes through', async () => {
    expect(await all(product(rowsOf(col('a', 'b')), []))).toEqual([['a'], ['b']]);
  });

  it('first source outermost, last source fastest', async () => {
    expect(await all(product(rowsOf(col('a', 'b')), [col('1', '2'), col('x', 'y')]))).toEqual([
      ['a', '1', 'x'],
      ['a', '1', 'y'],
      ['a', '2', 'x'],
      ['a', '2', 'y'],
      ['b', '1', 'x'],
      ['b', '1', 'y'],
      ['b', '2', 'x'],
      ['b', '2', 'y'],
    ]);
  });

  it('rows with several columns are concatenated', async () => {
    expect(await all(product(rowsOf([['a', 'b']]), [[['1', '2', '3']]]))).toEqual([
      ['a', 'b', '1', '2', '3'],
    ]);
  });

  it('an empty source makes the product empty', async () => {
    expect(await all(product(rowsOf(col('a', 'b')), [[]]))).toEqual([]);
    expect(await all(product(rowsOf([]), [col('1')]))).toEqual([]);
  });

  it('size is the product of the sizes', async () => {
    const got = await all(product(rowsOf(col('a', 'b', 'c')), [col('1', '2', '3', '4'), col('x', 'y')]));
    expect(got.length).toBe(24);
    expect(new Set(got.map((r) => r.join())).size).toBe(24);
  });
});

describe('link', () => {
  it('pairs equal-length sources', () => {
    expect(link([col('a', 'b', 'c'), col('1', '2', '3')])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ]);
  });

  it('shorter sources wrap around (GNU --link)', () => {
    expect(link([col('a', 'b', 'c'), col('1', '2'), col('X', 'Y', 'Z', 'W')])).toEqual([
      ['a', '1', 'X'],
      ['b', '2', 'Y'],
      ['c', '1', 'Z'],
      ['a', '2', 'W'],
    ]);
  });

  it('an empty source links to nothing', () => {
    expect(link([col('a'), []])).toEqual([]);
  });
});

describe('openArgs', () => {
  const spec = (sources: InputSpec['sources'], more: Partial<InputSpec> = {}): InputSpec => ({
    sources,
    delimiter: '\n',
    trim: 'n',
    columns: { kind: 'none' },
    header: false,
    shuffle: false,
    link: false,
    ...more,
  });
  const rows = async (s: InputSpec, stdin = '') => all((await openArgs(s, Readable.from([stdin]))).rows);

  it('reads stdin when there is no source', async () => {
    expect(await rows(spec([]), 'a\nb\n')).toEqual([['a'], ['b']]);
  });

  it('values sources form a product', async () => {
    const s = spec([
      { kind: 'values', values: ['a', 'b'] },
      { kind: 'values', values: ['1', '2'] },
    ]);
    expect(await rows(s)).toEqual([
      ['a', '1'],
      ['a', '2'],
      ['b', '1'],
      ['b', '2'],
    ]);
  });

  it('--link wraps the shorter source', async () => {
    const s = spec(
      [
        { kind: 'values', values: ['a', 'b', 'c'] },
        { kind: 'values', values: ['1', '2'] },
      ],
      { link: true },
    );
    expect(await rows(s)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '1'],
    ]);
  });

  // GNU parallel (man page, :::+): "Contrary to --link, values do not wrap: The shortest
  // input source determines the length."
  it(':::+ stops at the shortest source instead of wrapping', async () => {
    const s = spec([
      { kind: 'values', values: ['a', 'b', 'c'] },
      { kind: 'values', values: ['1', '2'], link: true },
    ]);
    expect(await rows(s)).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
  });

  it('--colsep splits columns and --header names them', async () => {
    const s = spec([{ kind: 'values', values: ['x,y', '1,2', '3,4'] }], {
      columns: { kind: 'colsep', pattern: ',' },
      header: true,
    });
    const got = await openArgs(s, Readable.from(['']));
    expect(got.names).toEqual(['x', 'y']);
    expect(await all(got.rows)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('--csv keeps quoted commas and newlines in one field', async () => {
    const s = spec([{ kind: 'stdin' }], { columns: { kind: 'csv', delimiter: ',' } });
    expect(await rows(s, 'a,"b,c"\n"d\ne",f\n')).toEqual([
      ['a', 'b,c'],
      ['d\ne', 'f'],
    ]);
  });

  it('--shuf keeps every row', async () => {
    const values = Array.from({ length: 50 }, (_, i) => String(i));
    const got = (await rows(spec([{ kind: 'values', values }], { shuffle: true }))).map((r) => r[0]);
    expect([...got].sort()).toEqual([...values].sort());
    expect(got).not.toEqual(values);
  });
});

describe('splitRecords and trimmer', () => {
  it('splits at the delimiter, keeps a final record without one, no empty last record', async () => {
    expect(await all(splitRecords(Readable.from(['a\nb', '\nc']), '\n'))).toEqual(['a', 'b', 'c']);
    expect(await all(splitRecords(Readable.from(['a\n\nb\n']), '\n'))).toEqual(['a', '', 'b']);
    expect(await all(splitRecords(Readable.from(['a\0b\0']), '\0'))).toEqual(['a', 'b']);
    expect(await all(splitRecords(Readable.from(['a::b::', ':c']), '::'))).toEqual(['a', 'b', ':c']);
  });

  it('does not break a UTF-8 character split across chunks', async () => {
    const bytes = Buffer.from('é\n😀\n');
    const parts = [...bytes].map((b) => Buffer.from([b]));
    expect(await all(splitRecords(Readable.from(parts), '\n'))).toEqual(['é', '😀']);
  });

  it('trims spaces and tabs', () => {
    expect(trimmer('n')(' \ta \t')).toBe(' \ta \t');
    expect(trimmer('l')(' \ta \t')).toBe('a \t');
    expect(trimmer('r')(' \ta \t')).toBe(' \ta');
    expect(trimmer('lr')(' \ta \t')).toBe('a');
  });
});

describe('groupArgs', () => {
  const group = (n: number, g: Parameters<typeof groupArgs>[1], jobs = 1) =>
    all(groupArgs(rowsOf(Array.from({ length: n }, (_, i) => [String(i + 1)])), g, jobs));

  it('single: one row per job', async () => {
    expect(await group(3, { kind: 'single' })).toEqual([['1'], ['2'], ['3']]);
  });

  it('-n / -N: up to N rows per job', async () => {
    expect(await group(5, { kind: 'max', n: 2 })).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(await group(4, { kind: 'exact', n: 2 })).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('-X / -m: everything on one line with one slot, spread over several slots', async () => {
    expect(await group(5, { kind: 'fill', context: true }, 1)).toEqual([['1', '2', '3', '4', '5']]);
    expect(await group(5, { kind: 'fill', context: false }, 2)).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
  });

  it('-X / -m: never builds a line longer than MAX_LINE', async () => {
    const big = 'x'.repeat(10_000);
    const got = await all(
      groupArgs(rowsOf(Array.from({ length: 30 }, () => [big])), { kind: 'fill', context: false }, 1),
    );
    expect(got.map((g) => g.length)).toEqual([11, 11, 8]);
    for (const g of got) expect(g.length * (big.length + 1)).toBeLessThanOrEqual(MAX_LINE);
  });
});
