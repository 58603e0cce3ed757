import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Boundaries, pipeChunks } from '../../../src/chunk/pipe.js';
import { relayWindow } from '../../../src/chunk/relay/index.js';
import { readWindow } from '../../../src/chunk/relay/window.js';
import type { PipeSpec } from '../../../src/spec/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-relay-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec = (block: number, recEnd = '\n'): PipeSpec => ({
  part: false,
  block,
  recStart: '',
  recEnd,
  regexp: false,
});

let n = 0;
/** An fd reading `input` from its start, as weft's stdin would be read. */
function source(input: Buffer): number {
  const file = join(dir, `in-${++n}`);
  writeFileSync(file, input);
  return openSync(file, 'r');
}

/**
 * The relay's cutting (RelaySource and RelayChunk) with the copier replaced by reads that go
 * into the chunk: the first read of a chunk (the carry), the copy, then the window.
 */
async function relayed(input: Buffer, s: PipeSpec, firstRead: number): Promise<string[]> {
  const fd = source(input);
  const bounds = new Boundaries(s);
  const window = relayWindow(s.block);
  const out: string[] = [];
  try {
    let carry = Buffer.alloc(0);
    let eof = false;
    for (;;) {
      if (!carry.length) {
        if (eof) break;
        const b = Buffer.alloc(firstRead);
        carry = b.subarray(0, readSync(fd, b, 0, firstRead, null));
        if (!carry.length) break;
      }
      const bytes = eof ? 0 : Math.max(0, s.block - carry.length - window);
      let chunk: Buffer;
      let w;
      if (bytes > 0) {
        const copied = Buffer.alloc(bytes);
        const got = readSync(fd, copied, 0, bytes, null);
        w = await readWindow(fd, Buffer.alloc(0), s.block - carry.length - bytes, bounds);
        chunk = Buffer.concat([carry, copied.subarray(0, got), w.data.subarray(0, w.cut)]);
      } else {
        w = await readWindow(fd, carry, s.block, bounds, eof);
        chunk = w.data.subarray(0, w.cut);
      }
      out.push(chunk.toString('latin1'));
      carry = Buffer.from(w.data.subarray(w.cut));
      eof = w.eof;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

async function buffered(input: Buffer, s: PipeSpec): Promise<string[]> {
  async function* one() {
    yield input;
  }
  const out: string[] = [];
  for await (const c of pipeChunks(one(), s)) out.push(c.toString('latin1'));
  return out;
}

/** Records of 1..maxLen bytes (the last one's end optional), random bytes but no record end inside. */
const records = (maxLen: number, end = 10) =>
  fc
    .tuple(fc.array(fc.uint8Array({ minLength: 0, maxLength: maxLen - 1 }), { maxLength: 60 }), fc.boolean())
    .map(([recs, closed]) => {
      const parts = recs.map((r) =>
        Buffer.concat([Buffer.from(r.map((b) => (b === end ? 0 : b))), Buffer.from([end])]),
      );
      const all = Buffer.concat(parts);
      return closed || all.length === 0 ? all : all.subarray(0, all.length - 1);
    });

describe('relay cutting', () => {
  it('cuts the chunks pipeChunks cuts when every record is shorter than the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 8, max: 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom('\n', ';'),
        async (block, firstRead, end) => {
          const maxLen = Math.max(1, relayWindow(block) - 1);
          const input = fc.sample(records(maxLen, end.charCodeAt(0)), {
            numRuns: 1,
            seed: block * 7919 + firstRead,
          })[0];
          const s = spec(block, end);
          expect(await relayed(input, s, firstRead)).toEqual(await buffered(input, s));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reassembles any input exactly, whatever its record lengths', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 8, max: 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.uint8Array({ maxLength: 3000 }),
        async (block, firstRead, bytes) => {
          const input = Buffer.from(bytes);
          const chunks = await relayed(input, spec(block), firstRead);
          expect(chunks.join('')).toBe(input.toString('latin1'));
          expect(chunks.every((c) => c.length > 0)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a record longer than the window ends its chunk after the block, not before', async () => {
    // block 400, window 100: the window [300, 400) of chunk 1 holds no record end.
    const input = Buffer.from('a'.repeat(99) + '\n' + 'b'.repeat(349) + '\n' + 'c\n');
    const s = spec(400);
    expect(await buffered(input, s)).toEqual(['a'.repeat(99) + '\n', 'b'.repeat(349) + '\nc\n']);
    expect(await relayed(input, s, 50)).toEqual(['a'.repeat(99) + '\n' + 'b'.repeat(349) + '\n', 'c\n']);
  });

  it('readWindow: the last record end within the block; the rest is left over', async () => {
    const fd = source(Buffer.from('12\n45\n78\nabc'));
    try {
      const w = await readWindow(fd, Buffer.from('x\n'), 7, new Boundaries(spec(7)));
      expect(w.data.subarray(0, w.cut).toString()).toBe('x\n12\n');
      expect(w.data.subarray(w.cut).toString()).toBe('45');
      expect(w.eof).toBe(false);
    } finally {
      closeSync(fd);
    }
  });

  it('readWindow: the input ending before the block is full ends the chunk', async () => {
    const fd = source(Buffer.from('12\n4'));
    try {
      const w = await readWindow(fd, Buffer.alloc(0), 100, new Boundaries(spec(100)));
      expect(w).toMatchObject({ cut: 4, eof: true });
    } finally {
      closeSync(fd);
    }
  });
});
