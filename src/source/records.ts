import { RawDecoder } from '../raw-text.js';

/**
 * Splits a text stream into records at `delimiter` (newline, NUL or `-d`), lazily:
 * the stream is read only as fast as records are consumed. A final record without
 * a trailing delimiter is kept; an empty final piece is not a record. Bytes that are not
 * UTF-8 are kept (as decodeRaw escapes), so they reach the command line unchanged.
 * A record longer than a read is gathered piece by piece and joined once, so a 100 MB
 * line costs one copy, not one per read.
 */
export async function* splitRecords(
  stream: AsyncIterable<Buffer | string>,
  delimiter: string,
): AsyncGenerator<string> {
  const decoder = new RawDecoder();
  const keep = delimiter.length - 1;
  let parts: string[] = []; // the unfinished record
  let tail = ''; // its last `keep` characters: a delimiter may start there
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if ((tail + text).indexOf(delimiter) < 0) {
      parts.push(text);
      if (keep > 0) tail = (tail + text).slice(-keep);
      continue;
    }
    const pending = parts.join('') + text;
    let start = 0;
    const from = Math.max(0, pending.length - text.length - keep);
    for (let i = pending.indexOf(delimiter, from); i >= 0; i = pending.indexOf(delimiter, start)) {
      yield pending.slice(start, i);
      start = i + delimiter.length;
    }
    const rest = pending.slice(start);
    parts = [rest];
    tail = keep > 0 ? rest.slice(-keep) : '';
  }
  const last = parts.join('') + decoder.end();
  if (last !== '') yield last;
}

/** Applies `--trim`: n(one), l(eft), r(ight) or lr/rl (both) to one value. */
export function trimmer(mode: 'n' | 'l' | 'r' | 'lr'): (s: string) => string {
  switch (mode) {
    case 'l':
      return (s) => s.replace(/^\s+/, '');
    case 'r':
      return (s) => s.replace(/\s+$/, '');
    case 'lr':
      return (s) => s.replace(/^\s+|\s+$/g, '');
    default:
      return (s) => s;
  }
}
