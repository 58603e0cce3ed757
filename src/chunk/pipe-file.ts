import { closeSync, fstatSync, openSync, read, readFileSync, readlinkSync, readSync } from 'node:fs';
import type { PipeSpec } from '../spec/types.js';
import { Boundaries, type FdSource } from './pipe.js';
import type { FileRange } from './pipepart.js';

const WINDOW = 1 << 16;

const readAt = (fd: number, buf: Buffer, length: number, position: number | null) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );

/** Whether `--pipe` on a regular file can cut it by offsets with the same chunks as the stream splitter. */
export function canCutByOffsets(spec: PipeSpec): boolean {
  return !spec.regexp && !spec.recordLines && !spec.formats && !spec.roundRobin;
}

/**
 * Finds `--pipe`'s record boundaries in a file by reading small windows around the cuts.
 * Positions are absolute; a boundary sits after recEnd and before recStart, as in
 * Boundaries, and one at the chunk's own start does not count.
 */
class FileBoundaries {
  private readonly sep: Buffer;
  private readonly endLen: number;
  private readonly buf = Buffer.allocUnsafe(WINDOW);

  constructor(
    private readonly fd: number,
    private readonly size: number,
    spec: PipeSpec,
  ) {
    const b = new Boundaries(spec);
    this.sep = b.separator;
    this.endLen = b.endLength;
  }

  /** The first boundary after `from` (and after `start`), or -1. */
  async next(start: number, from: number): Promise<number> {
    const step = WINDOW - this.sep.length + 1;
    for (let at = Math.max(start, from - this.endLen); at < this.size; at += step) {
      const n = await readAt(this.fd, this.buf, Math.min(WINDOW, this.size - at), at);
      const view = this.buf.subarray(0, n);
      for (let i = view.indexOf(this.sep); i >= 0; i = view.indexOf(this.sep, i + 1)) {
        const b = at + i + this.endLen;
        if (b > start && b > from) return b;
      }
      if (n < WINDOW) break;
    }
    return -1;
  }

  /** The last boundary at or before `limit` (and after `start`), or -1. */
  async last(start: number, limit: number): Promise<number> {
    // A separator that ends a boundary at or before limit lies wholly before this.
    const end = Math.min(this.size, limit - this.endLen + this.sep.length);
    const step = WINDOW - this.sep.length + 1;
    if (limit - this.endLen < start) return -1;
    for (let to = end; to > start; to -= step) {
      const at = Math.max(start, to - WINDOW);
      const n = await readAt(this.fd, this.buf, to - at, at);
      const i = this.buf.subarray(0, n).lastIndexOf(this.sep, limit - this.endLen - at);
      if (i >= 0) {
        const b = at + i + this.endLen;
        return b > start ? b : -1;
      }
      if (at === start) break;
    }
    return -1;
  }
}

/** The header's length at `start`: `--header N` lines, or a regex matched at the start. */
async function headerLength(
  fd: number,
  start: number,
  size: number,
  header: NonNullable<PipeSpec['header']>,
) {
  const buf = Buffer.allocUnsafe(Math.min(size - start, (1 << 20) + 1));
  const n = await readAt(fd, buf, buf.length, start);
  const head = buf.subarray(0, n);
  if ('lines' in header) {
    let pos = 0;
    for (let k = 0; k < header.lines; k++) {
      const i = head.indexOf(10, pos);
      if (i < 0) return head.length;
      pos = i + 1;
    }
    return pos;
  }
  const m = new RegExp(`^(?:${header.regex})`).exec(head.toString('latin1'));
  return m ? m[0].length : 0;
}

/**
 * `--pipe` over standard input that is a regular file: the same chunks as pipeChunks would
 * cut from the stream, found by reading only small windows, and handed to the jobs as
 * ranges of the file. The bytes then go from the file to each job without being held in
 * weft's memory whole. `start` is where the file's read position was (input already read
 * by someone else is not ours).
 */
export async function* pipeFileRanges(
  fd: number,
  path: string,
  start: number,
  size: number,
  spec: PipeSpec,
): AsyncGenerator<FileRange> {
  const bounds = new FileBoundaries(fd, size, spec);
  let prefix: Buffer | undefined;
  if (spec.header && start < size) {
    const n = await headerLength(fd, start, size, spec.header);
    prefix = Buffer.allocUnsafe(n);
    await readAt(fd, prefix, n, start);
    start += n;
  }
  while (start < size) {
    let cut = -1;
    if (spec.records !== undefined) {
      cut = start;
      for (let k = 0; k < spec.records && cut >= 0; k++) cut = await bounds.next(start, cut);
    } else if (size - start >= spec.block) {
      cut = await bounds.last(start, start + spec.block);
      if (cut < 0) cut = await bounds.next(start, start + spec.block - 1);
    }
    const end = cut < 0 ? size : cut;
    yield { path, fd, start, end, prefix };
    start = end;
  }
}

/**
 * Standard input as a regular file, with the offset its reading starts at (Linux tells the
 * read position in /proc/self/fdinfo; elsewhere the stream splitter is used).
 */
export function stdinFile(): { fd: number; start: number; size: number } | undefined {
  try {
    const info = fstatSync(0);
    // A file in /proc says its size is 0: read it as a stream.
    if (!info.isFile() || info.size === 0) return undefined;
    const pos = /^pos:\s*(\d+)/m.exec(readFileSync('/proc/self/fdinfo/0', 'latin1'));
    if (!pos) return undefined;
    return { fd: 0, start: Number(pos[1]), size: info.size };
  } catch {
    return undefined;
  }
}

/**
 * Standard input reopened as a blocking pipe, when it is one (`cat big.log | weft --pipe`):
 * node made fd 0 non-blocking for process.stdin, which only reads 64 KiB at a time into
 * fresh buffers; a descriptor of our own lets reads land straight in the chunk's buffer.
 * Only anonymous pipes: reopening a named one could wait for a writer.
 */
export function stdinPipe(): FdSource | undefined {
  try {
    if (!fstatSync(0).isFIFO() || !readlinkSync('/proc/self/fd/0').startsWith('pipe:')) return undefined;
    return { readFd: openSync('/proc/self/fd/0', 'r'), own: true };
  } catch {
    return undefined;
  }
}

/**
 * Standard input read in large pieces, when it is a file or a pipe (process.stdin reads
 * 64 KiB at a time); undefined for anything else (a terminal, a socket).
 */
export async function* stdinPieces(size = 1 << 18): AsyncGenerator<Buffer> {
  const pipe = stdinPipe();
  const fd = pipe?.readFd ?? 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafeSlow(size);
      const n = await readAt(fd, buf, size, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    if (pipe) closeSync(pipe.readFd);
  }
}

/**
 * Standard input as a regular file that is not gzip-compressed (checked without consuming
 * it), with where its reading starts.
 */
export function stdinPlainFile(): ReturnType<typeof stdinFile> {
  const file = stdinFile();
  if (!file) return undefined;
  const magic = Buffer.alloc(2);
  try {
    if (readSync(0, magic, 0, 2, file.start) === 2 && magic[0] === 0x1f && magic[1] === 0x8b)
      return undefined;
  } catch {
    return undefined;
  }
  return file;
}

/** Whether stdinPieces can read standard input (a regular file, or a pipe). */
export function stdinReadable(): boolean {
  try {
    const info = fstatSync(0);
    return info.isFile() || (info.isFIFO() && readlinkSync('/proc/self/fd/0').startsWith('pipe:'));
  } catch {
    return false;
  }
}
