import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeChunks } from '../../src/chunk/pipe.js';
import { pipeFileRanges } from '../../src/chunk/pipe-file.js';
import type { PipeSpec } from '../../src/spec/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-pipe-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE: PipeSpec = { part: false, block: 1 << 20, recStart: '', recEnd: '\n', regexp: false };

async function streamed(input: Buffer, spec: PipeSpec, cuts: number[]): Promise<string[]> {
  async function* pieces() {
    let at = 0;
    for (const c of [...cuts, input.length].sort((a, b) => a - b)) {
      if (c > at) yield input.subarray(at, c);
      at = Math.max(at, c);
    }
  }
  const out: string[] = [];
  for await (const c of pipeChunks(pieces(), spec)) out.push(c.toString('latin1'));
  return out;
}

let n = 0;
async function byOffsets(input: Buffer, spec: PipeSpec, skip = 0): Promise<string[]> {
  const file = join(dir, `in-${++n}`);
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  try {
    const out: string[] = [];
    for await (const r of pipeFileRanges(fd, file, skip, input.length, spec)) {
      out.push(
        (r.prefix?.toString('latin1') ?? '') + readFileSync(file).subarray(r.start, r.end).toString('latin1'),
      );
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

describe('pipeFileRanges: --pipe on a file cut by offsets', () => {
  it('cuts the same chunks as the stream splitter (property)', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\n', '>', ';'), maxLength: 300, size: 'max' });
    const spec = fc.record({
      block: fc.integer({ min: 1, max: 60 }),
      records: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
      ends: fc.constantFrom(['', '\n'], ['>', ''], ['>', '\n'], ['', ';'], ['', ';\n']),
      header: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(text, spec, fc.array(fc.nat(300), { maxLength: 6 }), async (s, p, cuts) => {
        const input = Buffer.from(s, 'latin1');
        const full: PipeSpec = {
          ...BASE,
          block: p.block,
          records: p.records,
          recStart: p.ends[0],
          recEnd: p.ends[1],
          header: p.header === undefined ? undefined : { lines: p.header },
        };
        expect(await byOffsets(input, full)).toEqual(await streamed(input, full, cuts));
      }),
      { numRuns: 300 },
    );
  });

  it('blocks larger than the scan window, and a record longer than the block', async () => {
    const line = (i: number) => `${String(i).padStart(7, '0')} ${'x'.repeat(i % 50)}\n`;
    const input = Buffer.from(
      Array.from({ length: 20_000 }, (_, i) => line(i)).join('') + 'y'.repeat(300_000) + '\nlast\n',
    );
    for (const block of [1000, 100_000, 250_000]) {
      const spec = { ...BASE, block };
      expect(await byOffsets(input, spec)).toEqual(await streamed(input, spec, []));
    }
  });

  it('a separator that runs past the block end still counts (recstart)', async () => {
    const input = Buffer.from('x\n>a\n>b\n');
    const spec = { ...BASE, block: 5, recStart: '>' };
    expect(await byOffsets(input, spec)).toEqual(['x\n>a\n', '>b\n']);
    expect(await streamed(input, spec, [])).toEqual(['x\n>a\n', '>b\n']);
  });

  it('a header given as a regex', async () => {
    const input = Buffer.from('#h1\n#h2\nrow1\nrow2\nrow3\n');
    const spec = { ...BASE, block: 6, header: { regex: '(#.*\\n)+' } };
    expect(await byOffsets(input, spec)).toEqual([
      '#h1\n#h2\nrow1\n',
      '#h1\n#h2\nrow2\n',
      '#h1\n#h2\nrow3\n',
    ]);
  });

  it('starts where the file was already read to', async () => {
    const input = Buffer.from('skip\na\nb\nc\n');
    expect(await byOffsets(input, { ...BASE, records: 2 }, 5)).toEqual(['a\nb\n', 'c\n']);
  });
});
