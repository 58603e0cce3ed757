import type { PipeSpec } from '../spec/types.js';
import { close, read } from 'node:fs';
import type { BufferPool } from './buffer-pool.js';
import { GrowBuffer } from './grow-buffer.js';

/** Finds record boundaries: a boundary sits after `recEnd` and before `recStart`. */
export class Boundaries {
  private readonly sep: Buffer;
  private readonly endLen: number;
  private readonly re?: RegExp;

  constructor(spec: Pick<PipeSpec, 'recStart' | 'recEnd' | 'regexp'>) {
    const recEnd = spec.recEnd === '' && spec.recStart === '' ? '\n' : spec.recEnd;
    this.sep = Buffer.from(recEnd + spec.recStart, 'latin1');
    this.endLen = Buffer.byteLength(recEnd, 'latin1');
    if (spec.regexp) this.re = new RegExp(`(?:${recEnd})(?=${spec.recStart})`, 'g');
  }

  /** The bytes a boundary sits in: recEnd followed by recStart (not with --regexp). */
  get separator(): Buffer {
    return this.sep;
  }

  /** How many bytes of the separator come before the boundary (recEnd's length). */
  get endLength(): number {
    return this.endLen;
  }

  /** The first boundary after `from` (exclusive of position 0), or -1. */
  next(buf: Buffer, from: number): number {
    if (this.re) {
      const s = buf.toString('latin1');
      this.re.lastIndex = from;
      for (let m = this.re.exec(s); m; m = this.re.exec(s)) {
        const b = m.index + m[0].length;
        if (b > 0 && b > from) return b;
        if (m[0].length === 0) this.re.lastIndex++;
      }
      return -1;
    }
    for (
      let i = buf.indexOf(this.sep, Math.max(0, from - this.endLen));
      i >= 0;
      i = buf.indexOf(this.sep, i + 1)
    ) {
      const b = i + this.endLen;
      if (b > 0 && b > from) return b;
    }
    return -1;
  }

  /** The last boundary at or before `limit` (and after 0), or -1. */
  last(buf: Buffer, limit: number): number {
    if (this.re) {
      let best = -1;
      for (let b = this.next(buf, 0); b > 0 && b <= limit; b = this.next(buf, b)) best = b;
      return best;
    }
    // A negative offset would make lastIndexOf count from the end.
    if (limit - this.endLen < 0) return -1;
    const i = buf.lastIndexOf(this.sep, limit - this.endLen);
    return i >= 0 && i + this.endLen > 0 ? i + this.endLen : -1;
  }
}

/** Record boundaries when a record is `n` lines (`--pipe -L n`); chunks start at a record. */
export class LineGroups {
  private cache = { pos: 0, count: 0 };
  constructor(private readonly n: number) {}

  /** Newlines counted from 0 up to `from`, reusing the last scan while the buffer grows. */
  private countTo(buf: Buffer, from: number): { pos: number; count: number } {
    let { pos, count } = from >= this.cache.pos ? this.cache : { pos: 0, count: 0 };
    for (let i = buf.indexOf(10, pos); i >= 0 && i < from; i = buf.indexOf(10, i + 1)) {
      count++;
      pos = i + 1;
    }
    this.cache = { pos, count };
    return this.cache;
  }

  next(buf: Buffer, from: number): number {
    if (from === 0) this.cache = { pos: 0, count: 0 };
    const start = this.countTo(buf, from);
    let count = start.count;
    for (let i = buf.indexOf(10, start.pos); i >= 0; i = buf.indexOf(10, i + 1)) {
      count++;
      if (count % this.n === 0 && i + 1 > from) return i + 1;
    }
    return -1;
  }

  last(buf: Buffer, limit: number): number {
    let best = -1;
    let count = 0;
    for (let i = buf.indexOf(10); i >= 0 && i < limit; i = buf.indexOf(10, i + 1)) {
      if (++count % this.n === 0) best = i + 1;
    }
    this.cache = { pos: 0, count: 0 };
    return best;
  }
}

/** Reads the header (`--header N` lines or a regex at the start) from the front of `buf`. */
function headerLength(
  buf: Buffer,
  header: NonNullable<PipeSpec['header']>,
  eof: boolean,
): number | undefined {
  if ('lines' in header) {
    let pos = 0;
    for (let k = 0; k < header.lines; k++) {
      const i = buf.indexOf(10, pos);
      if (i < 0) return eof ? buf.length : undefined;
      pos = i + 1;
    }
    return pos;
  }
  const m = new RegExp(`^(?:${header.regex})`).exec(buf.toString('latin1'));
  if (m) return m[0].length;
  return eof || buf.length > 1 << 20 ? 0 : undefined;
}

/**
 * Cuts a byte stream into chunks that end on record boundaries: about `block` bytes each
 * (the last boundary before the block size; a larger record is kept whole), or exactly
 * `records` records each. The header, if any, starts every chunk; with `headerApart` it is
 * stored there instead (`--round-robin` gives it once per job). Chunk buffers come from
 * `pool` when given (the caller puts a chunk back once its job is done with it). A
 * descriptor source is read straight into the chunk buffers (and closed at the end when
 * it is `own`). `first`: the input's first bytes, read already.
 */
export async function* pipeChunks(
  stream: AsyncIterable<Buffer> | FdSource,
  spec: PipeSpec,
  opts: { headerApart?: { value?: Buffer }; pool?: BufferPool; first?: Buffer } = {},
): AsyncGenerator<Buffer> {
  const { headerApart } = opts;
  const bounds = spec.recordLines ? new LineGroups(spec.recordLines) : new Boundaries(spec);
  // By block size: room for a block and the read that completes it, so it never grows.
  const pending = new GrowBuffer(spec.records === undefined ? spec.block + (1 << 18) : 1 << 16, opts.pool);
  if (opts.first?.length) pending.append(opts.first);
  let header: Buffer | undefined = spec.header ? undefined : Buffer.alloc(0);
  // For -N: how far the boundary scan got and how many records it counted.
  let scanned = 0;
  let counted = 0;
  // For a record longer than the block: where the search for its end got to.
  let searched = 0;
  // A record start right at the block's end is seen only with the bytes after it: wait for
  // them, so the cut does not depend on where reads happen to end.
  const lookahead = bounds instanceof Boundaries ? bounds.separator.length - bounds.endLength : 0;

  const emit = (n: number): Buffer => {
    scanned = 0;
    counted = 0;
    searched = 0;
    return pending.take(n);
  };

  function* ready(eof: boolean): Generator<Buffer> {
    if (!header) {
      const n = headerLength(pending.view(), spec.header!, eof);
      if (n === undefined) return;
      header = pending.take(n);
      if (headerApart) headerApart.value = header;
      else pending.setPrefix(header);
    }
    for (;;) {
      if (pending.length === 0) return;
      let cut = -1;
      if (spec.records !== undefined) {
        const view = pending.view();
        while (counted < spec.records) {
          const b = bounds.next(view, scanned);
          if (b < 0) break;
          scanned = b;
          counted++;
        }
        if (counted === spec.records) cut = scanned;
      } else if (pending.length >= spec.block + lookahead || (eof && pending.length >= spec.block)) {
        const view = pending.view();
        cut = searched ? -1 : bounds.last(view, spec.block);
        if (cut < 0) cut = bounds.next(view, Math.max(spec.block - 1, searched));
        if (cut < 0) searched = Math.max(spec.block - 1, view.length - 64);
      }
      if (cut < 0) {
        if (eof) yield emit(pending.length);
        return;
      }
      yield emit(cut);
    }
  }

  for await (const _ of fill(stream, pending)) yield* ready(false);
  yield* ready(true);
}

/** A descriptor to read input from, in order (`own`: close it when done). */
export interface FdSource {
  readFd: number;
  own: boolean;
}

const readInto = (fd: number, buf: Buffer) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, 0, Math.min(buf.length, 1 << 20), null, (err, n) => (err ? reject(err) : resolve(n))),
  );

/**
 * Appends the input to `pending`, one read at a time (yielding after each). From a
 * descriptor, reads land in the chunk's own buffer: no copy on the way in.
 */
export async function* fill(
  stream: AsyncIterable<Buffer> | FdSource,
  pending: GrowBuffer,
): AsyncGenerator<void> {
  if (!('readFd' in stream)) {
    for await (const piece of stream) {
      pending.append(piece);
      yield;
    }
    return;
  }
  try {
    for (;;) {
      const n = await readInto(stream.readFd, pending.space(1 << 16));
      if (n === 0) return;
      pending.commit(n);
      yield;
    }
  } finally {
    if (stream.own) close(stream.readFd, () => {});
  }
}
