import { Readable, pipeline } from 'node:stream';
import { zlib } from '../../builtins.js';
import { WeftError } from '../../errors.js';
import { isGzipPath } from './detect.js';

const STDIN_NAMES = new Set(['', '-', 'stdin', '/dev/stdin']);

/** Bytes of `stream`, with the first `head` pieces (already read from `it`) put back in front. */
async function* rejoin(head: Buffer[], it: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  } finally {
    await it.return?.();
  }
}

/**
 * Decompresses gzip input transparently: a path ending in .gz, or stdin that starts with the gzip
 * magic bytes 1f 8b. Anything else passes through untouched (files are never sniffed, so binary
 * input in lines mode is never mistaken for gzip). Offsets downstream refer to decompressed bytes.
 */
export async function* gunzipIfNeeded(path: string, stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let gzip = isGzipPath(path);
  if (!gzip && STDIN_NAMES.has(path)) {
    let len = 0;
    while (len < 2) {
      const r = await it.next();
      if (r.done) break;
      head.push(r.value);
      len += r.value.length;
    }
    const start = head.length > 1 ? Buffer.concat(head) : head[0];
    gzip = start !== undefined && start.length >= 2 && start[0] === 0x1f && start[1] === 0x8b;
  }
  const source = rejoin(head, it);
  if (!gzip) {
    yield* source;
    return;
  }
  const gunzip = zlib().createGunzip();
  pipeline(Readable.from(source), gunzip, () => {});
  try {
    for await (const b of gunzip) yield b as Buffer;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code ?? '';
    if (!code.startsWith('Z_')) throw err;
    throw new WeftError('E_READ', `not valid gzip data: ${(err as Error).message}`, {
      location: { file: path },
      cause: err,
    });
  } finally {
    gunzip.destroy();
  }
}
