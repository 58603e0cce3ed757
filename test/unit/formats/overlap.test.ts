import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../../src/chunk/formats/index.js';
import { chunksOf, cutPoints, opts, within } from './helpers.js';

const seq = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

describe('--overlap', () => {
  it('starts each chunk with the last N records of the previous one', async () => {
    const chunks = await chunksOf(seq(7), opts({ format: 'lines', records: 3, overlap: 1 }));
    expect(chunks.map((c) => c.data.toString())).toEqual(['1\n2\n3\n', '3\n4\n5\n6\n', '6\n7\n']);
    expect(chunks.map((c) => [c.records, c.overlap, c.firstRecord])).toEqual([
      [3, 0, 0],
      [4, 1, 2],
      [2, 1, 5],
    ]);
  });

  it('may repeat records from further back when the overlap exceeds a chunk', async () => {
    const chunks = await chunksOf(seq(6), opts({ format: 'lines', records: 2, overlap: 3 }));
    expect(chunks.map((c) => c.data.toString())).toEqual(['1\n2\n', '1\n2\n3\n4\n', '2\n3\n4\n5\n6\n']);
  });

  it('csv: overlap comes after the header', async () => {
    const chunks = await chunksOf('h\n"a\nx"\nb\nc\n', opts({ format: 'csv', records: 2, overlap: 1 }));
    expect(chunks.map((c) => c.data.toString())).toEqual(['h\n"a\nx"\nb\n', 'h\nb\nc\n']);
  });

  it('json: overlapping chunks are still valid arrays', async () => {
    const chunks = await chunksOf(
      '[1,{"a":"]"},3,4]',
      opts({ format: 'json', records: 2, overlap: 1 }),
      [3, 9],
    );
    expect(chunks.map((c) => c.data.toString())).toEqual(['[1,{"a":"]"}]', '[{"a":"]"},3,4]']);
    expect(chunks.map((c) => c.offset)).toEqual([1, 3]);
  });

  it('property: dropping the repeated records reassembles the input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        cutPoints(),
        async (n, records, overlap, at) => {
          const input = seq(n);
          const chunks = await chunksOf(
            input,
            opts({ format: 'lines', records, overlap }),
            within(at, input.length),
          );
          let prev: string[] = [];
          const fresh: string[] = [];
          for (const c of chunks) {
            const lines = c.data.toString().split(/(?<=\n)/);
            expect(lines.length).toBe(c.records);
            const repeated = lines.slice(0, c.overlap ?? 0);
            expect(repeated).toEqual(prev.slice(prev.length - repeated.length));
            // Every chunk but the first repeats min(overlap, records so far) records.
            expect(repeated.length).toBe(Math.min(overlap, fresh.length));
            fresh.push(...lines.slice(c.overlap ?? 0));
            prev = lines;
          }
          expect(fresh.join('')).toBe(input);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('with --key, overlap is per partition', async () => {
    const input = Array.from(
      { length: 6 },
      (_, i) => JSON.stringify({ k: i % 2 ? 'odd' : 'even', i }) + '\n',
    ).join('');
    const chunks = await chunksOf(
      input,
      opts({ format: 'ndjson', key: 'k', partitions: 1024, records: 2, overlap: 1 }),
    );
    for (const c of chunks) {
      const ks = c.data
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).k as string);
      expect(new Set(ks).size).toBe(1);
      expect(c.key).toBe(partitionOf(ks[0], 1024));
    }
    expect(chunks.filter((c) => c.overlap === 1).length).toBe(2);
  });
});
