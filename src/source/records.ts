import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a text stream into records at `delimiter` (newline, NUL or `-d`), lazily:
 * the stream is read only as fast as records are consumed. A final record without
 * a trailing delimiter is kept; an empty final piece is not a record.
 */
export async function* splitRecords(
  stream: AsyncIterable<Buffer | string>,
  delimiter: string,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    for (let i = pending.indexOf(delimiter); i >= 0; i = pending.indexOf(delimiter, start)) {
      yield pending.slice(start, i);
      start = i + delimiter.length;
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield pending;
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
