import { closeSync, openSync, writeSync } from 'node:fs';
import { fileError } from '../errors.js';
import type { EventListener, WeftEvent } from './types.js';

/** One event as one NDJSON line: `type`, `runId` and `t` first, then the payload. */
export function eventLine(e: WeftEvent): string {
  const { type, runId, t, ...rest } = e;
  return JSON.stringify({ type, runId, t, ...rest }) + '\n';
}

/** Anything with a `write(string)`: a Writable such as process.stderr. */
export interface LineSink {
  write(s: string): unknown;
}

/** An events subscriber and how to release what it holds. */
export interface NdjsonWriter {
  listener: EventListener;
  close(): void;
}

/**
 * An events subscriber writing NDJSON (docs/events.md): one line per event, each written
 * with a single synchronous write as it happens, so a reader (`tail -f`, `weft --status`)
 * sees every event at once and a killed run leaves only whole lines behind (except, at
 * worst, a last one cut short).
 *
 * `target` is a file path (truncated, or appended to with `append`) or a stream.
 */
export function ndjsonWriter(target: string | LineSink, options: { append?: boolean } = {}): NdjsonWriter {
  if (typeof target !== 'string') {
    return { listener: (e) => void target.write(eventLine(e)), close: () => {} };
  }
  const path = target;
  let fd: number | undefined;
  try {
    fd = openSync(path, options.append ? 'a' : 'w');
  } catch (err) {
    throw fileError(path, err);
  }
  return {
    listener: (e) => {
      if (fd === undefined) return;
      const buf = Buffer.from(eventLine(e));
      try {
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off);
      } catch (err) {
        throw fileError(path, err);
      }
    },
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
