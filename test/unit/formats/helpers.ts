import fc from 'fast-check';
import {
  formatChunks,
  newChunkStats,
  type Chunk,
  type ChunkOptions,
  type ChunkStats,
} from '../../../src/chunk/formats/index.js';

/** Options with test defaults (big block, name 'in'). */
export const opts = (o: Partial<ChunkOptions> & Pick<ChunkOptions, 'format'>): ChunkOptions => ({
  block: 1 << 20,
  name: 'in',
  ...o,
});

/** Cuts `data` at the given positions (sorted, deduplicated, clamped) into pieces. */
export function cut(data: Buffer, at: number[] = []): Buffer[] {
  const points = [...new Set(at.map((p) => Math.max(0, Math.min(data.length, p))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let s = 0;
  for (const p of points) {
    if (p > s) out.push(data.subarray(s, p));
    s = Math.max(s, p);
  }
  if (s < data.length) out.push(data.subarray(s));
  return out;
}

/** Yields the pieces as an async stream, each copied into a buffer at a random-ish byte alignment. */
export async function* stream(pieces: Buffer[]): AsyncGenerator<Buffer> {
  let shift = 0;
  for (const p of pieces) {
    // Place each piece at a different offset inside a larger ArrayBuffer to exercise unaligned views.
    const backing = Buffer.alloc(p.length + 8);
    shift = (shift + 1) % 7;
    p.copy(backing, shift);
    yield backing.subarray(shift, shift + p.length);
  }
}

/** Runs formatChunks over `input` (split at `at`) and returns every chunk. */
export async function chunksOf(
  input: Buffer | string,
  o: ChunkOptions,
  at: number[] = [],
  stats: ChunkStats = newChunkStats(),
): Promise<Chunk[]> {
  const data = typeof input === 'string' ? Buffer.from(input) : input;
  const out: Chunk[] = [];
  for await (const c of formatChunks(stream(cut(data, at)), o, stats)) out.push(c);
  return out;
}

/** The chunks' data as strings. */
export async function texts(input: Buffer | string, o: ChunkOptions, at: number[] = []): Promise<string[]> {
  return (await chunksOf(input, o, at)).map((c) => c.data.toString());
}

/** Runs formatChunks expecting it to throw; returns the error. */
export async function failure(input: Buffer | string, o: ChunkOptions, at: number[] = []): Promise<unknown> {
  try {
    await chunksOf(input, o, at);
  } catch (err) {
    return err;
  }
  throw new Error('expected formatChunks to fail');
}

/** fast-check: up to `max` cut points within a length. */
export const cutPoints = (max = 12) => fc.array(fc.nat({ max: 1 << 16 }), { maxLength: max });

/** Maps arbitrary cut points (any size) into [0, len]. */
export const within = (at: number[], len: number) => at.map((p) => (len === 0 ? 0 : p % (len + 1)));
