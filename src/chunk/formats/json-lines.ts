import type { RecordSink } from './record.js';

/**
 * buf[s, e) (one valid JSON value) on one line: whitespace outside strings dropped, every other
 * byte kept as is (numbers and escapes are not rewritten), then a '\n'.
 */
export function jsonLine(buf: Uint8Array, s: number, e: number): Buffer {
  const out = Buffer.allocUnsafe(e - s + 1);
  let o = 0;
  let inString = false;
  let escaped = false;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (inString) {
      out[o++] = c;
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (c === 0x22) inString = true;
    out[o++] = c;
  }
  out[o++] = 0x0a;
  return out.subarray(0, o);
}

/** Sink adapter for `--emit ndjson`: passes each JSON array element on as one NDJSON line. */
export class JsonLines implements RecordSink {
  constructor(private readonly next: RecordSink) {}

  record(buf: Buffer, start: number, end: number, index: number, offset: number, line: number): void {
    const l = jsonLine(buf, start, end);
    this.next.record(l, 0, l.length, index, offset, line);
  }
}
