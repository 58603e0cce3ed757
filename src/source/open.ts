import { constants, createReadStream, openSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { fileError, WeftError } from '../errors.js';
import { fsPath } from '../raw-text.js';

/**
 * Checks that `path` is a readable regular file (or FIFO/device) before any job runs,
 * so a bad name fails the run at once with `path: no such file` and nothing half done.
 * A FIFO is not opened here: opening it would wait for a writer, and closing it again
 * would lose what that writer sent; it is opened once, by the reader.
 */
export async function checkReadable(path: string, opts: { notRegular?: string } = {}): Promise<void> {
  let info;
  try {
    info = await stat(fsPath(path));
  } catch (err) {
    throw fileError(path, err);
  }
  if (info.isDirectory())
    throw new WeftError('E_READ', 'is a directory, expected a file', { location: { file: path } });
  if (opts.notRegular !== undefined && !info.isFile())
    throw new WeftError('E_READ', opts.notRegular, { location: { file: path } });
  if (info.isFIFO()) return;
  try {
    const fh = await open(fsPath(path), 'r');
    await fh.close();
  } catch (err) {
    throw fileError(path, err);
  }
}

/**
 * A read stream of `path` (names holding bytes that are not UTF-8 included). A FIFO is opened
 * non-blocking and read through the event loop: a blocking open would wait for a writer in a
 * worker thread, and Node cannot exit while one is stuck there, so not even SIGTERM would end
 * weft. Read this way it waits for a writer (as GNU parallel does) and stays interruptible.
 */
export function readFile(path: string, highWaterMark = 1 << 16): Readable {
  const p = fsPath(path);
  try {
    if (!statSync(p).isFIFO()) return createReadStream(p, { highWaterMark });
    const fd = openSync(p, constants.O_RDONLY | constants.O_NONBLOCK);
    return new Socket({ fd, readable: true, writable: false });
  } catch (err) {
    throw fileError(path, err);
  }
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
