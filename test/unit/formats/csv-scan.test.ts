import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvScanner, countCsvRecords } from '../../../src/chunk/formats/index.js';

/** Reference: record ends found byte by byte with a quote toggle. */
function naiveEnds(b: Uint8Array): number[] {
  const ends: number[] = [];
  let q = false;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 34) q = !q;
    else if (b[i] === 10 && !q) ends.push(i + 1);
  }
  return ends;
}

/** Record ends found by CsvScanner fed `pieces`, as absolute positions. */
function scannerEnds(pieces: Uint8Array[]): { ends: number[]; lines: number; inQuote: boolean } {
  const s = new CsvScanner();
  const ends: number[] = [];
  let base = 0;
  for (const p of pieces) {
    for (let e = s.next(p, 0); e >= 0; e = s.next(p, e)) ends.push(base + e);
    base += p.length;
  }
  return { ends, lines: s.lines, inQuote: s.inQuote };
}

/** Copies `b` into a fresh ArrayBuffer at byte offset `shift` (so word alignment varies). */
function at(b: Uint8Array, shift: number): Uint8Array {
  const backing = new Uint8Array(b.length + 8);
  backing.set(b, shift);
  return backing.subarray(shift, shift + b.length);
}

// Any bytes, biased towards quotes and newlines (and bytes one bit away from '"', like '#' and 0xa2).
const csvBytes = fc
  .uint8Array({ maxLength: 200 })
  .map((b) => b.map((x) => (x % 5 === 0 ? 34 : x % 7 === 0 ? 10 : x % 11 === 0 ? (x & 1 ? 0x23 : 0xa2) : x)));

describe('CsvScanner', () => {
  it('ends records at newlines outside quotes only', () => {
    const b = Buffer.from('a,b\n"x\ny",2\n"q""\n",3\r\nlast');
    expect(scannerEnds([b]).ends).toEqual([4, 12, 22]);
    expect(countCsvRecords(b)).toBe(4);
  });

  it('matches a byte-by-byte reference for any input, split and alignment', () => {
    fc.assert(
      fc.property(csvBytes, fc.array(fc.nat(), { maxLength: 6 }), fc.nat({ max: 7 }), (b, cuts, shift) => {
        const points = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
        const pieces: Uint8Array[] = [];
        let s = 0;
        for (const p of [...points, b.length]) {
          pieces.push(at(b.subarray(s, p), (shift + p) % 8));
          s = p;
        }
        const got = scannerEnds(pieces);
        expect(got.ends).toEqual(naiveEnds(b));
        expect(got.lines).toBe(b.filter((c) => c === 10).length);
        expect(got.inQuote).toBe(b.filter((c) => c === 34).length % 2 === 1);
      }),
      { numRuns: 400 },
    );
  });

  it('counts quotes correctly in long runs (word path) at every alignment', () => {
    const line = Buffer.from('"abc,def""ghi","x\ny",' + 'z'.repeat(37) + '"\n"\n');
    for (let shift = 0; shift < 8; shift++) {
      const b = at(Buffer.concat([line, line, line]), shift);
      expect(scannerEnds([b]).ends).toEqual(naiveEnds(b));
    }
  });
});
