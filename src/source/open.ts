import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileError, WeftError } from '../errors.js';

/**
 * Checks that `path` is a readable regular file (or FIFO/device) before any job runs,
 * so a bad name fails the run at once with `path: no such file` and nothing half done.
 */
export async function checkReadable(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fileError(path, err);
  }
  if (info.isDirectory())
    throw new WeftError('E_READ', 'is a directory, expected a file', { location: { file: path } });
  try {
    const fh = await open(path, 'r');
    await fh.close();
  } catch (err) {
    throw fileError(path, err);
  }
}

/** A read stream whose errors carry the file name. */
export function readFile(path: string): Readable {
  const s = createReadStream(path, { highWaterMark: 1 << 16 });
  return s;
}

/** Wraps an async iterable so a stream error becomes a located WeftError. */
export async function* located<T>(file: string, it: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* it;
  } catch (err) {
    if (err instanceof WeftError) throw err;
    throw fileError(file, err);
  }
}
