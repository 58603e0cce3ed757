import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/chunk/buffer-pool.js';
import {
  fastSplit,
  fastSplitRanges,
  formatChunks,
  newChunkStats,
  type Chunk,
  type ChunkOptions,
  type Format,
} from '../../../src/chunk/formats/index.js';
import { cut, cutPoints, opts, stream, within } from './helpers.js';

type Outcome = { chunks: Omit<Chunk, 'data'>[]; data: string[]; skipped: number; error?: string };

async function run(
  split: typeof formatChunks,
  input: Buffer,
  o: ChunkOptions,
  at: number[],
): Promise<Outcome> {
  const stats = newChunkStats();
  const out: Outcome = { chunks: [], data: [], skipped: 0 };
  try {
    for await (const c of split(stream(cut(input, at)), o, stats)) {
      const { data, ...rest } = c;
      out.data.push(data.toString('latin1'));
      out.chunks.push(rest);
    }
  } catch (err) {
    out.error = (err as Error).message;
  }
  out.skipped = stats.skipped;
  return out;
}

const withPool: typeof formatChunks = (s, o, stats) => fastSplit(s, o, stats, new BufferPool(2));

const dir = mkdtempSync(join(tmpdir(), 'weft-fast-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** fastSplitRanges over `input` written to a file, read `readSize` bytes at a time. */
async function runRanges(input: Buffer, o: ChunkOptions, readSize: number): Promise<Outcome> {
  const file = join(dir, `in-${++files}`);
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  const stats = newChunkStats();
  const out: Outcome = { chunks: [], data: [], skipped: 0 };
  try {
    for await (const c of fastSplitRanges(fd, file, 0, input.length, o, stats, readSize)) {
      if ('data' in c) throw new Error('expected a range');
      const { range, ...rest } = c;
      const bytes = readFileSync(file).subarray(range.start, range.end);
      out.data.push((range.prefix?.toString('latin1') ?? '') + bytes.toString('latin1'));
      out.chunks.push(rest);
    }
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    closeSync(fd);
  }
  out.skipped = stats.skipped;
  return out;
}

// Text from a small alphabet so that quotes, quoted newlines, CRLF, BOMs and records longer
// than the block all turn up often.
const text = fc
  .tuple(
    fc.boolean(),
    fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r\n', '\t', 'x'), maxLength: 400, size: 'max' }),
  )
  .map(([bom, s]) =>
    Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(s)]),
  );

describe('fastSplit gives exactly the chunks of formatChunks', () => {
  for (const format of ['csv', 'tsv', 'lines'] as Format[]) {
    it(`${format}, by block or by records, any read sizes, bad records failing or skipped (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.integer({ min: 1, max: 120 }),
          fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
          fc.constantFrom('fail', 'skip') as fc.Arbitrary<'fail' | 'skip'>,
          cutPoints(),
          async (input, block, records, onBadRecord, at) => {
            const o = opts({ format, block, records, onBadRecord });
            const pieces = within(at, input.length);
            const want = await run(formatChunks, input, o, pieces);
            expect(await run(fastSplit, input, o, pieces)).toEqual(want);
            expect(await run(withPool, input, o, pieces)).toEqual(want);
            expect(await runRanges(input, o, 1 + ((at[0] ?? 0) % 64))).toEqual(want);
          },
        ),
        { numRuns: 400 },
      );
    });
  }

  it('a large CSV in 64 KiB reads, 100 kB blocks', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      i % 9 ? `${i},"name, ${i}",x\n` : `${i},"multi\nline ""q""",y\r\n`,
    );
    const input = Buffer.from('id,name,v\n' + rows.join(''));
    const o = opts({ format: 'csv', block: 100_000 });
    const at = Array.from({ length: Math.ceil(input.length / 65536) }, (_, i) => i * 65536);
    const want = await run(formatChunks, input, o, at);
    expect(want.data.length).toBeGreaterThan(3);
    expect(await run(fastSplit, input, o, at)).toEqual(want);
  });
});
