import { isUtf8 } from 'node:buffer';

/**
 * Text that may hold bytes which are not UTF-8 (a Latin-1 file name, a binary argument).
 * GNU parallel passes such bytes through untouched; a plain `toString('utf8')` would turn
 * each into U+FFFD. Here every byte that is not part of a valid UTF-8 sequence becomes the
 * lone low surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which valid UTF-8 can
 * never produce, so `encodeRaw(decodeRaw(b))` gives back exactly `b`.
 */

/** Length (1-4) of the valid UTF-8 sequence at b[i]; 0 if none starts there; -k if b ends k bytes into one. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f; // no UTF-16 surrogates in UTF-8
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return 0;
  for (let k = 1; k < n; k++) {
    if (i + k >= b.length) return -k;
    const d = b[i + k];
    if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return 0;
  }
  return n;
}

/** Decodes UTF-8, keeping each invalid byte as U+DC80 + (byte - 0x80) (see above). */
export function decodeRaw(b: Uint8Array): string {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let run = 0;
  for (let i = 0; i < buf.length;) {
    const n = sequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', run, i) + String.fromCharCode(0xdc00 + buf[i]);
    run = ++i;
  }
  return out + buf.toString('utf8', run);
}

/** A lone low surrogate in the escape range (a byte decodeRaw could not decode). */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** True if `s` holds bytes that are not UTF-8 (escaped by decodeRaw). */
export const hasRawBytes = (s: string): boolean => ESCAPED.test(s);

/** Encodes as UTF-8, turning the escapes of decodeRaw back into their bytes. */
export function encodeRaw(s: string): Buffer {
  if (!hasRawBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue; // the second half of a real pair
    parts.push(Buffer.from(s.slice(run, i), 'utf8'), Buffer.from([c - 0xdc00]));
    run = i + 1;
  }
  parts.push(Buffer.from(s.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

/** A path for node:fs: as a Buffer when it holds raw bytes, so the file with those bytes is opened. */
export const fsPath = (path: string): string | Buffer => (hasRawBytes(path) ? encodeRaw(path) : path);

/** decodeRaw for a stream: a sequence cut between two pieces is held back until the next one. */
export class RawDecoder {
  private pending: Buffer = Buffer.alloc(0);

  write(piece: Buffer): string {
    const buf = this.pending.length ? Buffer.concat([this.pending, piece]) : piece;
    let cut = buf.length;
    for (let p = Math.max(0, buf.length - 3); p < buf.length; p++) {
      if (sequenceAt(buf, p) < 0) {
        cut = p;
        break;
      }
    }
    this.pending = Buffer.from(buf.subarray(cut));
    return decodeRaw(buf.subarray(0, cut));
  }

  end(): string {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length ? decodeRaw(rest) : '';
  }
}
