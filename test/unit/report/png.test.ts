import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../../e2e/report/png.js';

/** A PNG chunk (the decoder does not check CRCs, so zeros do). */
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

/** An RGB PNG of `rows` (each a list of [r,g,b]), every row with the given filter. */
function png(rows: number[][][], filters: number[]): Buffer {
  const width = rows[0].length;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(rows.length, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw: number[] = [];
  const flat = rows.map((r) => r.flat());
  flat.forEach((line, y) => {
    const f = filters[y];
    raw.push(f);
    line.forEach((v, i) => {
      const a = i >= 3 ? line[i - 3] : 0;
      const b = y > 0 ? flat[y - 1][i] : 0;
      const c = y > 0 && i >= 3 ? flat[y - 1][i - 3] : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      raw.push((v - pred) & 0xff);
    });
  });
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(raw))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('test PNG decoder', () => {
  it('undoes all five filters', () => {
    const rows = [
      [
        [42, 122, 226],
        [255, 0, 7],
        [1, 2, 3],
      ],
      [
        [200, 100, 50],
        [42, 122, 226],
        [9, 9, 9],
      ],
      [
        [0, 0, 0],
        [128, 128, 128],
        [250, 251, 252],
      ],
      [
        [17, 34, 51],
        [68, 85, 102],
        [119, 136, 153],
      ],
      [
        [5, 250, 5],
        [250, 5, 250],
        [42, 122, 226],
      ],
    ];
    const img = decodePng(png(rows, [0, 1, 2, 3, 4]));
    expect([img.width, img.height]).toEqual([3, 5]);
    const got = [];
    for (let y = 0; y < 5; y++) {
      const row = [];
      for (let x = 0; x < 3; x++) row.push([...img.rgba.subarray((y * 3 + x) * 4, (y * 3 + x) * 4 + 3)]);
      got.push(row);
    }
    expect(got).toEqual(rows);
    expect(img.rgba[3]).toBe(255);
  });

  it('rejects what is not a PNG', () => {
    expect(() => decodePng(Buffer.from('GIF89a....'))).toThrow(/not a PNG/);
  });
});
