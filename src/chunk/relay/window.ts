import { read } from 'node:fs';
import type { Boundaries } from '../pipe.js';

/** One read of `fd` at its position into buf[at, at + length). */
export const readInto = (fd: number, buf: Buffer, at: number, length: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, at, length, null, (err, n) => (err ? reject(err) : resolve(n))),
  );

/** The bytes read after the copied part of a chunk, and where in them the chunk ends. */
export interface Window {
  data: Buffer;
  /** The chunk's last bytes are data[0, cut); the rest starts the next chunk. */
  cut: number;
  /** The input ended. */
  eof: boolean;
}

/**
 * Reads the end of a chunk from `fd` after `prefix` (bytes of it already read): `need` bytes
 * in all make the block full. The chunk ends
 * at the last record boundary among them, as pipeChunks cuts; with none there (a record
 * longer than the window), at the first boundary after the block, reading on as far as that
 * takes. A boundary at the window's very start is not seen: the bytes before it went by.
 */
export async function readWindow(
  fd: number,
  prefix: Buffer,
  need: number,
  bounds: Boundaries,
  ended = false,
): Promise<Window> {
  let data = Buffer.allocUnsafe(Math.max(need, prefix.length + (1 << 16)));
  prefix.copy(data);
  let len = prefix.length;
  let eof = ended;
  while (len < need && !eof) {
    const n = await readInto(fd, data, len, need - len);
    if (n === 0) eof = true;
    len += n;
  }
  if (len < need) return { data: data.subarray(0, len), cut: len, eof };
  let cut = bounds.last(data.subarray(0, len), need);
  let searched = need - 1;
  while (cut < 0) {
    cut = bounds.next(data.subarray(0, len), searched);
    if (cut >= 0) break;
    if (eof) {
      cut = len;
      break;
    }
    searched = Math.max(searched, len - 1);
    if (data.length - len < 1 << 16) {
      const grown = Buffer.allocUnsafe(data.length * 2);
      data.copy(grown, 0, 0, len);
      data = grown;
    }
    const n = await readInto(fd, data, len, data.length - len);
    if (n === 0) eof = true;
    len += n;
  }
  return { data: data.subarray(0, len), cut, eof };
}
