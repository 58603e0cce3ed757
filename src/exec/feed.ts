import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { fsPath } from '../raw-text.js';
import type { JobStdin } from './types.js';

/** Writes one buffer; resolves false when the sink is gone (the job stopped reading). */
function write(sink: Writable, data: Buffer, stop?: AbortSignal): Promise<boolean> {
  if (sink.destroyed || sink.writableEnded || stop?.aborted) return Promise.resolve(false);
  if (sink.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      stop?.removeEventListener('abort', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    stop?.addEventListener('abort', onClose, { once: true });
  });
}

/**
 * Feeds a job's stdin into `sink` and ends it. Resolves once everything is handed over, or
 * early when the sink closes or `stop` aborts (the job ended without reading it all: normal,
 * as EPIPE is). A stream of chunks is pulled one chunk at a time, so a job that reads slowly
 * is asked for less (`--round-robin` deals to whoever asks).
 */
export async function feedStdin(stdin: JobStdin, sink: Writable, stop?: AbortSignal): Promise<void> {
  sink.on('error', () => {});
  if (stdin.kind === 'none') {
    sink.end();
    return;
  }
  if (stdin.kind === 'buffer') {
    if (await write(sink, stdin.data, stop)) sink.end();
    return;
  }
  if (stdin.kind === 'range') {
    const { path, fd, start, end, prefix } = stdin.range;
    if (prefix?.length && !(await write(sink, prefix, stop))) return;
    if (end <= start) {
      sink.end();
      return;
    }
    // Through a shared descriptor, reads are positioned (pread) and leave it open.
    const source = createReadStream(fd === undefined ? fsPath(path) : '', {
      fd,
      autoClose: fd === undefined,
      start,
      end: end - 1,
      highWaterMark: 1 << 20,
    });
    await new Promise<void>((resolve) => {
      const quit = () => {
        source.destroy();
        resolve();
      };
      stop?.addEventListener('abort', quit, { once: true });
      sink.once('close', quit);
      source.on('error', quit);
      source.on('end', () => {
        stop?.removeEventListener('abort', quit);
        sink.off('close', quit);
        resolve();
      });
      source.pipe(sink);
    });
    return;
  }
  if (stdin.kind === 'live') throw new Error('a relayed chunk is handed to the job as its stdin, not fed');
  const it = stdin.chunks[Symbol.asyncIterator]();
  const quit = () => void it.return?.();
  stop?.addEventListener('abort', quit, { once: true });
  sink.once('close', quit);
  try {
    for (;;) {
      const next = await it.next();
      if (next.done) break;
      if (!(await write(sink, next.value, stop))) return;
    }
    sink.end();
  } finally {
    stop?.removeEventListener('abort', quit);
    sink.off('close', quit);
    await it.return?.();
  }
}
