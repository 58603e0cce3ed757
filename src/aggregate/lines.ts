/**
 * Line handling shared by the aggregates and the shuffle. Output bytes are read as latin1
 * strings: one UTF-16 code unit per byte, lossless, and JavaScript's default string order on
 * them is byte order, while comparing far faster than Buffers.
 */

/** Bytes as a latin1 string (see above). */
export function bytesToText(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** The inverse of bytesToText. */
export function textToBytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/**
 * Calls `fn` for each line of `text` (without its `\n`), numbered from 1; a last line without
 * `\n` counts as a line, and a final `\n` does not start an empty one.
 */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    fn(text.slice(start, end), ++lineNo);
    start = end + 1;
  }
}

/** True when a line is empty or holds only spaces, tabs and carriage returns. */
export function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** A value as a user should read it in a message: UTF-8, quoted, cut to 40 characters. */
export function showValue(text: string): string {
  const shown = textToBytes(text).toString('utf8');
  return JSON.stringify(shown.length > 40 ? `${shown.slice(0, 40)}…` : shown);
}
