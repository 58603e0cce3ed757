import { open } from 'node:fs/promises';
import { fsPath } from '../raw-text.js';
import type { PipeSpec } from '../spec/types.js';
import { Boundaries } from './pipe.js';

/** A byte range of a file, fed to a job's stdin without passing through weft's memory whole. */
export interface FileRange {
  path: string;
  /** Read through this open descriptor instead of opening `path` (standard input). */
  fd?: number;
  start: number;
  end: number;
  /** The header, repeated at the start of every range. */
  prefix?: Buffer;
}

const WINDOW = 1 << 16;

/**
 * Cuts a file into ranges for `--pipepart`: from each cut, skip `block` bytes and move to
 * the end of the record found there, so a range holds whole records. Only small windows
 * around the cuts are read; the ranges themselves are streamed to the jobs.
 */
export async function* pipepartRanges(path: string, spec: PipeSpec, jobs: number): AsyncGenerator<FileRange> {
  const fh = await open(fsPath(path), 'r');
  try {
    const size = (await fh.stat()).size;
    const bounds = new Boundaries(spec);
    let start = 0;
    let prefix: Buffer | undefined;
    if (spec.header && 'lines' in spec.header) {
      const buf = Buffer.alloc(Math.min(size, WINDOW * 16));
      await fh.read(buf, 0, buf.length, 0);
      for (let k = 0; k < spec.header.lines && start < buf.length; k++) {
        const i = buf.indexOf(10, start);
        start = i < 0 ? buf.length : i + 1;
      }
      prefix = Buffer.from(buf.subarray(0, start));
    }
    // A negative block means "this many chunks per job slot".
    const block = spec.block > 0 ? spec.block : Math.max(1, Math.ceil((size - start) / (jobs * -spec.block)));
    const buf = Buffer.alloc(WINDOW);
    while (start < size) {
      let end = size;
      for (let probe = start + block; probe < size; probe += WINDOW - 64) {
        const { bytesRead } = await fh.read(buf, 0, WINDOW, probe);
        const b = bounds.next(buf.subarray(0, bytesRead), 0);
        if (b > 0 || (b === 0 && probe > start)) {
          end = probe + b;
          break;
        }
      }
      yield { path, start, end, prefix };
      start = end;
    }
  } finally {
    await fh.close();
  }
}
