import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { hashKey, newChunkStats, partitionOf } from '../../../src/chunk/formats/index.js';
import { chunksOf, cutPoints, failure, opts, within } from './helpers.js';

const keyValue = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd', 'é', ''),
  fc.integer({ min: 0, max: 5 }),
  fc.constant(null),
);

describe('--key partitioning', () => {
  it('ndjson: every key lands in exactly one partition; records kept in order within it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: keyValue, v: fc.nat() }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.oneof(
          fc.record({ records: fc.integer({ min: 1, max: 5 }) }),
          fc.record({ block: fc.integer({ min: 1, max: 80 }) }),
        ),
        cutPoints(),
        async (rows, partitions, size, at) => {
          const lines = rows.map((r, i) => JSON.stringify({ ...r, i }) + '\n');
          const input = Buffer.from(lines.join(''));
          const chunks = await chunksOf(
            input,
            opts({ format: 'ndjson', key: 'k', partitions, ...size }),
            within(at, input.length),
          );
          const where = new Map<string, number>();
          const seen: string[] = [];
          const lastInPartition = new Map<number, number>();
          for (const c of chunks) {
            expect(c.key).toBeGreaterThanOrEqual(0);
            expect(c.key).toBeLessThan(partitions);
            const ls = c.data.toString().split(/(?<=\n)/);
            expect(ls.length).toBe(c.records);
            for (const l of ls) {
              const obj = JSON.parse(l);
              const k = typeof obj.k === 'string' ? obj.k : JSON.stringify(obj.k);
              if (where.has(k)) expect(where.get(k)).toBe(c.key);
              where.set(k, c.key!);
              expect(c.key).toBe(partitionOf(k, partitions));
              expect(obj.i).toBeGreaterThan(lastInPartition.get(c.key!) ?? -1);
              lastInPartition.set(c.key!, obj.i);
              seen.push(l);
            }
          }
          expect(seen.sort()).toEqual([...lines].sort());
        },
      ),
      { numRuns: 120 },
    );
  });

  it('emits a large partition as several chunks, all with the same key', async () => {
    const input = Array.from({ length: 7 }, (_, i) => `{"k":"same","i":${i}}\n`).join('');
    const chunks = await chunksOf(input, opts({ format: 'ndjson', key: 'k', records: 3 }));
    expect(chunks.map((c) => c.records)).toEqual([3, 3, 1]);
    expect(new Set(chunks.map((c) => c.key))).toEqual(new Set([partitionOf('same', 16)]));
  });

  it('json arrays: each partition chunk is a valid array; dotted key paths work', async () => {
    const arr = Array.from({ length: 30 }, (_, i) => ({ user: { id: i % 4 }, i }));
    const input = JSON.stringify(arr, null, 1);
    const chunks = await chunksOf(
      input,
      opts({ format: 'json', key: 'user.id', partitions: 3, block: 60 }),
      [7, 50],
    );
    const back = chunks.flatMap((c) => {
      const els = JSON.parse(c.data.toString()) as typeof arr;
      for (const e of els) expect(c.key).toBe(partitionOf(String(e.user.id), 3));
      return els;
    });
    expect(back.sort((a, b) => a.i - b.i)).toEqual(arr);
  });

  it('csv: by column name or number, header on every chunk, quoted keys same as unquoted', async () => {
    const input = 'id,city\n1,Paris\n2,"Paris"\n3,"Le ""Mans"""\n4,Oslo\n5,"Oslo"\n6,"multi\nline"\n';
    for (const key of ['city', '2']) {
      const chunks = await chunksOf(input, opts({ format: 'csv', key, partitions: 64 }), [9, 20]);
      const byCity = new Map<string, number>();
      let total = 0;
      for (const c of chunks) {
        const rows = parse(c.data) as string[][];
        expect(rows[0]).toEqual(['id', 'city']);
        for (const [, city] of rows.slice(1)) {
          expect(c.key).toBe(partitionOf(city, 64));
          if (byCity.has(city)) expect(byCity.get(city)).toBe(c.key);
          byCity.set(city, c.key!);
          total++;
        }
      }
      expect(total).toBe(6);
      expect([...byCity.keys()].sort()).toEqual(['Le "Mans"', 'Oslo', 'Paris', 'multi\nline']);
    }
  });

  it('tsv: keys by column, quoted tabs stay in the field', async () => {
    const input = 'k\tv\n"a\tb"\t1\nc\t2\n"a\tb"\t3\n';
    const chunks = await chunksOf(input, opts({ format: 'tsv', key: 'k', partitions: 1 << 20 }));
    const groups = chunks.map((c) => c.data.toString());
    expect(groups).toContain('k\tv\n"a\tb"\t1\n"a\tb"\t3\n');
    expect(groups).toContain('k\tv\nc\t2\n');
  });

  it('csv: a last row without newline gets one when moved into a partition', async () => {
    const chunks = await chunksOf('k,v\na,1\nb,2\na,3', opts({ format: 'csv', key: 'k', partitions: 1 }));
    expect(chunks.map((c) => c.data.toString())).toEqual(['k,v\na,1\nb,2\na,3\n']);
  });

  it('csv: an unknown key column is an option error', async () => {
    const err = (await failure('a,b\n1,2\n', opts({ format: 'csv', key: 'nope' }))) as WeftError;
    expect(err).toBeInstanceOf(WeftError);
    expect(err.code).toBe('E_OPTION');
    expect(err.message).toMatch(/"a", "b"/);
  });

  it('csv: rows that csv-parse rejects or that lack the key column are bad records', async () => {
    // `"3"x` has an even number of quotes (the scanner keeps the row apart) but is invalid CSV.
    const input = 'a,b\n1,x\n2\n"3"x,y\n4,w\n';
    const err = (await failure(input, opts({ format: 'csv', key: 'b' }))) as WeftError;
    expect(err.code).toBe('E_RECORD');
    expect(err.location).toMatchObject({ line: 3, record: 2, offset: 8 });

    const file = join(tmpdir(), `weft-q-${process.pid}-${Date.now()}.csv`);
    try {
      const stats = newChunkStats();
      const chunks = await chunksOf(
        input,
        opts({ format: 'csv', key: 'b', onBadRecord: { quarantine: file } }),
        [],
        stats,
      );
      expect(stats).toMatchObject({ quarantined: 2, records: 2 });
      expect(await readFile(file, 'utf8')).toBe('2\n"3"x,y\n');
      expect(chunks.flatMap((c) => (parse(c.data) as string[][]).slice(1).map((r) => r[0])).sort()).toEqual([
        '1',
        '4',
      ]);
    } finally {
      await rm(file, { force: true });
    }
  });

  it('hashes keys stably', () => {
    expect(hashKey('')).toBe(0x811c9dc5);
    expect(hashKey('a')).toBe(0xe40c292c);
    expect(partitionOf('a', 16)).toBe(0xe40c292c % 16);
  });

  it('rejects --key in lines mode', async () => {
    const err = (await failure('x\n', opts({ format: 'lines', key: 'k' }))) as WeftError;
    expect(err.code).toBe('E_OPTION');
  });
});
