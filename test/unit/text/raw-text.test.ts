import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawArgv } from '../../../src/cli/argv.js';
import { decodeRaw, encodeRaw, hasRawBytes, RawDecoder } from '../../../src/raw-text.js';
import { splitRecords } from '../../../src/source/records.js';
import { tempDir } from '../../e2e/helpers.js';

const bytes = fc.uint8Array({ maxLength: 40 });

describe('raw text: bytes that are not UTF-8 survive a trip through a string', () => {
  it('decodeRaw then encodeRaw gives back every byte', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(encodeRaw(decodeRaw(b)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('valid UTF-8 decodes as usual, and only invalid bytes are escaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const b = Buffer.from(s);
        expect(decodeRaw(b)).toBe(b.toString());
        expect(hasRawBytes(decodeRaw(b))).toBe(false);
      }),
    );
    expect(decodeRaw(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe2, 0x82]))).toBe('a\udcffé\udce2\udc82');
    // U+10080 ends in the low surrogate DC80 but is a real character.
    expect(encodeRaw('\u{10080}')).toEqual(Buffer.from('\u{10080}'));
  });

  it('RawDecoder gives the same text however the bytes are cut', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(40)), (b, cuts) => {
        const d = new RawDecoder();
        const points = [...new Set(cuts.map((c) => Math.min(c, b.length)))].sort((x, y) => x - y);
        let text = '';
        let s = 0;
        for (const p of [...points, b.length]) {
          text += d.write(Buffer.from(b.subarray(s, p)));
          s = p;
        }
        text += d.end();
        expect(text).toBe(decodeRaw(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('splitRecords cuts at every delimiter however the text is read, long records included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'ab', 'ba', '\n', 'é'), { maxLength: 30 }),
        fc.constantFrom('\n', 'ab', 'aba', 'é'),
        fc.array(fc.nat(60)),
        async (words, delim, cuts) => {
          const text = words.join('');
          const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((x, y) => x - y);
          async function* pieces() {
            let s = 0;
            for (const p of [...points, text.length]) {
              yield text.slice(s, p);
              s = p;
            }
          }
          const recs: string[] = [];
          for await (const r of splitRecords(pieces(), delim)) recs.push(r);
          const want = text.split(delim);
          if (want[want.length - 1] === '') want.pop();
          expect(recs).toEqual(want);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('splitRecords keeps invalid bytes of a record', async () => {
    async function* src() {
      yield Buffer.from([0x61, 0xe2]);
      yield Buffer.from([0x82, 0x0a, 0xff, 0x0a]);
    }
    const recs: string[] = [];
    for await (const r of splitRecords(src(), '\n')) recs.push(r);
    expect(recs.map((r) => encodeRaw(r))).toEqual([Buffer.from([0x61, 0xe2, 0x82]), Buffer.from([0xff])]);
  });
});

describe('rawArgv', () => {
  it('reads the words back as bytes from a cmdline file when Node turned some into U+FFFD', () => {
    const dir = tempDir();
    const cmdline = join(dir, 'cmdline');
    writeFileSync(cmdline, Buffer.from('node\0/x/weft.js\0echo\0a\xffb\0', 'latin1'));
    expect(rawArgv(['echo', 'a\uFFFDb'], cmdline)).toEqual(['echo', 'a\udcffb']);
    // Words that do not match the file are left as they are.
    expect(rawArgv(['cat', 'a\uFFFDb'], cmdline)).toEqual(['cat', 'a\uFFFDb']);
    expect(rawArgv(['x\uFFFD'], join(dir, 'missing'))).toEqual(['x\uFFFD']);
  });
});
