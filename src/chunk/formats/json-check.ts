import type { BadRecords } from './bad-records.js';
import type { RecordSink } from './record.js';

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

const VALUE = 0;
const AFTER = 1;
const KEY = 2;
const COLON = 3;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
/** The characters after a backslash in a string: " \\ / b f n r t (u is handled apart). */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** In strings: 0 for a byte that stands for itself, 1 for '"', 2 for '\\', 3 for a control byte. */
const IN_STRING = new Uint8Array(256);
IN_STRING.fill(3, 0, 0x20);
IN_STRING[0x22] = 1;
IN_STRING[0x5c] = 2;

/** End of the string starting at the quote b[i], or -1 - (position of the error). */
function stringEnd(b: Uint8Array, i: number, e: number): number {
  for (i++; i < e; i++) {
    let k = IN_STRING[b[i]];
    while (k === 0 && ++i < e) k = IN_STRING[b[i]];
    if (k === 0) break;
    if (k === 1) return i + 1;
    if (k === 3) return -1 - i;
    if (++i >= e) break;
    if (b[i] === 0x75) {
      for (let h = 1; h <= 4; h++) if (i + h >= e || !isHex(b[i + h])) return -1 - (i + h);
      i += 4;
    } else if (!ESCAPES.has(b[i])) return -1 - i;
  }
  return -1 - e;
}

/** End of the number or literal starting at b[i], or -1 - (position of the error). */
function scalarEnd(b: Uint8Array, i: number, e: number): number {
  const c = b[i];
  if (c === 0x2d || isDigit(c)) {
    if (c === 0x2d) i++;
    if (i < e && b[i] === 0x30) i++;
    else if (i < e && isDigit(b[i])) while (i < e && isDigit(b[i])) i++;
    else return -1 - i;
    if (i < e && b[i] === 0x2e) {
      if (!(++i < e && isDigit(b[i]))) return -1 - i;
      while (i < e && isDigit(b[i])) i++;
    }
    if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
      i++;
      if (i < e && (b[i] === 0x2b || b[i] === 0x2d)) i++;
      if (!(i < e && isDigit(b[i]))) return -1 - i;
      while (i < e && isDigit(b[i])) i++;
    }
    return i;
  }
  for (const lit of LITERALS) {
    if (c !== lit[0]) continue;
    for (let k = 1; k < lit.length; k++) if (i + k >= e || b[i + k] !== lit[k]) return -1 - (i + k);
    return i + lit.length;
  }
  return -1 - i;
}

/** The bracket stack for ordinary nesting depths (a deeper value gets a bigger one). */
const STACK = new Uint8Array(256);

/**
 * Checks that b[s, e) is exactly one JSON value (whitespace around it allowed) in one pass over the
 * bytes, without building it: cheaper than JSON.parse. Returns -1 if it is, else the position of
 * the first byte that is wrong (e when the value is cut short). Bytes inside strings are not
 * checked for UTF-8: like lines mode, NDJSON passes them through as they are.
 */
export function jsonErrorAt(b: Uint8Array, s: number, e: number): number {
  let stack = STACK; // open brackets, innermost last
  let depth = 0;
  let state = VALUE;
  let opened = false; // just after '[' or '{', where the closing bracket may follow at once
  let i = s;
  for (;;) {
    while (i < e && isSpace(b[i])) i++;
    if (i >= e) return state === AFTER && depth === 0 ? -1 : e;
    const c = b[i];
    const top = depth > 0 ? stack[depth - 1] : 0;
    if (state === AFTER) {
      if (depth === 0) return i; // a second value
      if (c === 0x2c) state = top === 0x7b ? KEY : VALUE;
      else if (c === top + 2)
        depth--; // ']' is '[' + 2, '}' is '{' + 2
      else return i;
      i++;
    } else if (opened && c === top + 2) {
      depth--;
      opened = false;
      state = AFTER;
      i++;
    } else if (state === COLON) {
      if (c !== 0x3a) return i;
      state = VALUE;
      i++;
    } else if (state === KEY) {
      if (c !== 0x22) return i;
      i = stringEnd(b, i, e);
      if (i < 0) return -1 - i;
      opened = false;
      state = COLON;
    } else if (c === 0x5b || c === 0x7b) {
      if (depth === stack.length) {
        const deeper = new Uint8Array(stack.length * 2);
        deeper.set(stack);
        stack = deeper;
      }
      stack[depth++] = c;
      opened = true;
      state = c === 0x7b ? KEY : VALUE;
      i++;
    } else {
      i = c === 0x22 ? stringEnd(b, i, e) : scalarEnd(b, i, e);
      if (i < 0) return -1 - i;
      opened = false;
      state = AFTER;
    }
  }
}

/** How an error position reads in a message. */
function what(b: Uint8Array, at: number, e: number, s: number): string {
  if (at >= e) return 'the line ends inside a value';
  const c = b[at];
  const shown =
    c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
  return `unexpected ${shown} at column ${at - s + 1}`;
}

/**
 * `--format ndjson` without `--key`: passes on each line that is one JSON value (or blank), and
 * hands any other line to the bad-record policy, so no job is fed a line it cannot parse.
 */
export class NdjsonCheck implements RecordSink {
  constructor(
    private readonly next: RecordSink,
    private readonly bad: BadRecords,
  ) {}

  record(buf: Buffer, start: number, end: number, index: number, offset: number, line: number): void {
    let s = start;
    while (s < end && isSpace(buf[s])) s++;
    const at = s === end ? -1 : jsonErrorAt(buf, s, end);
    if (at < 0) {
      this.next.record(buf, start, end, index, offset, line);
      return;
    }
    const reason = `invalid JSON: ${what(buf, at, end, start)}`;
    this.bad.handle(buf.subarray(start, end), reason, { line, index, offset });
  }
}
