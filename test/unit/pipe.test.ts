import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Boundaries, pipeChunks } from '../../src/chunk/pipe.js';
import type { PipeSpec } from '../../src/spec/types.js';

const SPEC: PipeSpec = { part: false, block: 1 << 20, recStart: '', recEnd: '\n', regexp: false };

async function* pieces(parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.isBuffer(p) ? p : Buffer.from(p, 'latin1');
}

/** Runs pipeChunks over `input` fed in `parts` (one piece by default) and returns the chunks as text. */
async function chunks(input: string | string[], spec: Partial<PipeSpec>): Promise<string[]> {
  const out: string[] = [];
  const parts = typeof input === 'string' ? [input] : input;
  for await (const c of pipeChunks(pieces(parts), { ...SPEC, ...spec })) out.push(c.toString('latin1'));
  return out;
}

const seqLines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}\n`).join('');

describe('pipeChunks by block size', () => {
  it('keeps small input in one chunk', async () => {
    expect(await chunks('a\nb\nc\n', {})).toEqual(['a\nb\nc\n']);
  });

  it('yields nothing for empty input', async () => {
    expect(await chunks('', {})).toEqual([]);
    expect(await chunks([], { records: 2 })).toEqual([]);
  });

  it('cuts at the last record end before the block size', async () => {
    expect(await chunks('1\n2\n3\n4\n5\n', { block: 4 })).toEqual(['1\n2\n', '3\n4\n', '5\n']);
    expect(await chunks('aa\nb\ncc\nd\n', { block: 5 })).toEqual(['aa\nb\n', 'cc\nd\n']);
  });

  it('keeps a record longer than the block whole', async () => {
    expect(await chunks('aaaaaa\nb\n', { block: 3 })).toEqual(['aaaaaa\n', 'b\n']);
  });

  it('keeps a final record without a newline', async () => {
    expect(await chunks('a\nb', { block: 2 })).toEqual(['a\n', 'b']);
  });

  it('seq 1000 in 1k (1000-byte) blocks cut as GNU parallel does', async () => {
    const input = seqLines(1, 1000);
    const got = await chunks(input, { block: 1000 });
    expect(got.join('')).toBe(input);
    expect(got.map((c) => c.split('\n').length - 1)).toEqual([277, 250, 250, 223]);
    for (const c of got) {
      expect(c.endsWith('\n')).toBe(true);
      expect(c.length).toBeLessThanOrEqual(1000);
    }
  });

  it('gives the same chunks whatever pieces the stream arrives in', async () => {
    const input = seqLines(1, 300);
    const whole = await chunks(input, { block: 100 });
    const bytewise = await chunks(input.split(''), { block: 100 });
    const odd = await chunks(input.match(/[\s\S]{1,7}/g)!, { block: 100 });
    expect(bytewise).toEqual(whole);
    expect(odd).toEqual(whole);
  });

  it('property: chunks concatenate to the input and end on newlines (block mode)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z]{0,12}$/), { maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 16 }),
        async (recs, block, piece) => {
          const input = recs.map((r) => r + '\n').join('');
          const parts = input.match(new RegExp(`[\\s\\S]{1,${piece}}`, 'g')) ?? [];
          const got = await chunks(parts, { block });
          expect(got.join('')).toBe(input);
          for (const c of got) {
            expect(c.endsWith('\n')).toBe(true);
            // A chunk holds more than one record only if they fit in the block.
            if (c.indexOf('\n') < c.length - 1) expect(c.length).toBeLessThanOrEqual(block);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('pipeChunks by record count (-N)', () => {
  it('cuts every N records', async () => {
    expect(await chunks(seqLines(1, 10), { records: 3 })).toEqual([
      '1\n2\n3\n',
      '4\n5\n6\n',
      '7\n8\n9\n',
      '10\n',
    ]);
  });

  it('-N1 gives one chunk per line, also when input arrives a byte at a time', async () => {
    expect(await chunks('a\nbb\nccc\n'.split(''), { records: 1 })).toEqual(['a\n', 'bb\n', 'ccc\n']);
  });

  it('-N ignores the block size', async () => {
    expect(await chunks('aaaa\nbbbb\ncccc\n', { records: 2, block: 3 })).toEqual(['aaaa\nbbbb\n', 'cccc\n']);
  });

  it('property: N records per chunk, the last may have fewer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z]{0,5}$/), { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        async (recs, n) => {
          const input = recs.map((r) => r + '\n').join('');
          const got = await chunks(input.split(''), { records: n });
          expect(got.join('')).toBe(input);
          expect(got.length).toBe(Math.ceil(recs.length / n));
          got.forEach((c, i) => {
            const count = c.split('\n').length - 1;
            if (i < got.length - 1) expect(count).toBe(n);
            else expect(count).toBeLessThanOrEqual(n);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('pipeChunks with --recstart / --recend', () => {
  const FASTA = '>r1\nAAA\nCC\n>r2\nGG\n>r3\nTTTT\nA\n>r4\nC\n';

  it('--recstart ">" -N1: one FASTA record per chunk', async () => {
    expect(await chunks(FASTA, { recStart: '>', records: 1 })).toEqual([
      '>r1\nAAA\nCC\n',
      '>r2\nGG\n',
      '>r3\nTTTT\nA\n',
      '>r4\nC\n',
    ]);
  });

  it('--recstart ">" -N2', async () => {
    expect(await chunks(FASTA, { recStart: '>', records: 2 })).toEqual([
      '>r1\nAAA\nCC\n>r2\nGG\n',
      '>r3\nTTTT\nA\n>r4\nC\n',
    ]);
  });

  it('--recstart with a block size never splits a record', async () => {
    const got = await chunks(FASTA, { recStart: '>', block: 12 });
    expect(got.join('')).toBe(FASTA);
    for (const c of got) expect(c.startsWith('>')).toBe(true);
  });

  it('--recend ";" -N2', async () => {
    expect(await chunks('a;b;c;d;e', { recEnd: ';', records: 2 })).toEqual(['a;b;', 'c;d;', 'e']);
  });

  it('--recend with a multi-byte separator arriving split across pieces', async () => {
    expect(await chunks(['a<', '/r>b<', '/', 'r>c'], { recEnd: '</r>', records: 1 })).toEqual([
      'a</r>',
      'b</r>',
      'c',
    ]);
  });

  it('--recend "" --recstart "" falls back to newline', async () => {
    expect(await chunks('x\ny\n', { recEnd: '', recStart: '', records: 1 })).toEqual(['x\n', 'y\n']);
  });

  it('--regexp --recstart', async () => {
    const input = 'r1 a\nx\nr2 b\nr3 c\ny\n';
    expect(await chunks(input, { recStart: 'r\\d', recEnd: '\n', regexp: true, records: 1 })).toEqual([
      'r1 a\nx\n',
      'r2 b\n',
      'r3 c\ny\n',
    ]);
  });

  it('Boundaries.next / last find positions after recEnd and before recStart', () => {
    const b = new Boundaries({ recStart: '>', recEnd: '\n', regexp: false });
    const buf = Buffer.from('>a\nb\n>c\n>d\n');
    expect(b.next(buf, 0)).toBe(5);
    expect(b.next(buf, 5)).toBe(8);
    expect(b.next(buf, 8)).toBe(-1);
    expect(b.last(buf, 7)).toBe(5);
    expect(b.last(buf, 4)).toBe(-1);
  });
});

describe('pipeChunks with a header', () => {
  const INPUT = 'HEADER\nl1\nl2\nl3\nl4\nl5\n';

  it('--header : (one line) starts every chunk', async () => {
    expect(await chunks(INPUT, { header: { lines: 1 }, records: 2 })).toEqual([
      'HEADER\nl1\nl2\n',
      'HEADER\nl3\nl4\n',
      'HEADER\nl5\n',
    ]);
  });

  it('--header 2 repeats two lines, also when they arrive a byte at a time', async () => {
    const input = 'H1\nH2\na\nb\nc\n';
    expect(await chunks(input.split(''), { header: { lines: 2 }, records: 2 })).toEqual([
      'H1\nH2\na\nb\n',
      'H1\nH2\nc\n',
    ]);
  });

  it('a header regex takes what it matches at the start', async () => {
    expect(await chunks('#a\n#b\nx\ny\n', { header: { regex: '(#.*\\n)+' }, records: 1 })).toEqual([
      '#a\n#b\nx\n',
      '#a\n#b\ny\n',
    ]);
  });

  it('input that is only a header gives no job', async () => {
    expect(await chunks('HEADER\n', { header: { lines: 1 }, records: 2 })).toEqual([]);
  });
});

describe('pipeChunks: a record end longer than the block', () => {
  it('cuts after each record (as GNU), not at the last record end of the input', async () => {
    expect(await chunks(';\n;\n', { block: 1, recEnd: ';\n' })).toEqual([';\n', ';\n']);
  });
});
