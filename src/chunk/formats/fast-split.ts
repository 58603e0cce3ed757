import { read, readSync } from 'node:fs';
import { WeftError } from '../../errors.js';
import type { BufferPool } from '../buffer-pool.js';
import { GrowBuffer } from '../grow-buffer.js';
import { fill, type FdSource } from '../pipe.js';
import type { FileRange } from '../pipepart.js';
import { BadRecords } from './bad-records.js';
import { CsvScanner } from './csv-scan.js';
import { checkOptions } from './options.js';
import { newChunkStats, type Chunk, type ChunkOptions, type ChunkStats } from './types.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Whether `fastSplit` can cut these chunks: CSV, TSV or lines with nothing that needs the
 * records one by one (no --key, --overlap or --window; NDJSON lines are each checked).
 */
export function canSplitFast(o: ChunkOptions): boolean {
  const plain = o.format === 'csv' || o.format === 'tsv' || o.format === 'lines';
  return plain && o.key === undefined && !o.overlap && o.windowMs === undefined;
}

/**
 * Record ends in the bytes of the chunk being gathered, found by one forward scan. Only what a
 * cut needs is kept: how many, the first and last, and the last within `limit` (the block).
 */
class Ends {
  private readonly csv?: CsvScanner;
  /** Scanned up to here (relative to the chunk's start). */
  private pos = 0;
  count = 0;
  first = 0;
  last = 0;
  /** How many ends lie within the limit, and the last of them. */
  fit = 0;
  fitLast = 0;
  /** Newlines before the last record end found (the line a bad record starts on). */
  linesBeforeLast = 0;

  constructor(
    csv: boolean,
    private readonly limit: number,
  ) {
    if (csv) this.csv = new CsvScanner();
  }

  /** The scan stopped inside a quoted field. */
  get open(): boolean {
    return this.csv?.inQuote ?? false;
  }

  /**
   * Scans until `count >= min` and `last > beyond`, or the bytes run out: `buf` holds the
   * chunk's bytes from `base` on (everything before was scanned already).
   */
  scan(buf: Buffer, min: number, beyond: number, base = 0): void {
    const csv = this.csv;
    const end = base + buf.length;
    while (this.pos < end && !(this.count >= min && this.last > beyond)) {
      let e: number;
      if (csv) e = csv.next(buf, this.pos - base);
      else {
        const nl = buf.indexOf(10, this.pos - base);
        e = nl < 0 ? -1 : nl + 1;
      }
      if (e < 0) {
        this.pos = end;
        return;
      }
      this.add(base + e);
      if (csv) this.linesBeforeLast = csv.lines;
    }
  }

  private add(e: number): void {
    if (++this.count === 1) this.first = e;
    this.last = e;
    this.pos = e;
    if (e <= this.limit) {
      this.fit = this.count;
      this.fitLast = e;
    }
  }

  /** The input ended at `len` (scanned): a last record without a newline ends there. */
  close(len: number): void {
    if (this.pos >= len && this.last < len && !this.open) this.add(len);
  }

  /** `n` bytes holding the first `k` ends were cut off the front (at most one end is left). */
  cut(n: number, k: number): void {
    const left = this.count - k;
    const rest = this.last - n;
    const pos = this.pos - n;
    this.count = this.fit = this.fitLast = this.first = this.last = 0;
    if (left > 0) this.add(rest);
    this.pos = pos;
  }
}

/** Where the bytes of the chunk being gathered are kept, and how a chunk is handed out. */
interface Store<T> {
  /** Bytes since the chunk's start. */
  readonly length: number;
  /** The bytes not scanned yet, in a buffer that starts `base` bytes into the chunk. */
  unscanned(): { buf: Buffer; base: number };
  /** A copy of bytes [from, to) of the chunk. */
  bytes(from: number, to: number): Buffer;
  /** Drops the first `n` bytes (a BOM, a header once copied, a bad record). */
  skip(n: number): void;
  /** Puts the header in front of every chunk from now on. */
  header(h: Buffer): void;
  /** The first `n` bytes as a chunk's payload; they leave the store. */
  take(n: number): T;
}

/** Chunk bytes gathered in memory: a chunk is handed out as a Buffer (see GrowBuffer). */
class MemoryStore implements Store<{ data: Buffer }> {
  private readonly buf: GrowBuffer;
  constructor(capacity: number, pool?: BufferPool) {
    this.buf = new GrowBuffer(capacity, pool);
  }
  get length() {
    return this.buf.length;
  }
  unscanned() {
    return { buf: this.buf.view(), base: 0 };
  }
  bytes(from: number, to: number) {
    return Buffer.from(this.buf.view().subarray(from, to));
  }
  skip(n: number) {
    this.buf.take(n);
  }
  header(h: Buffer) {
    this.buf.setPrefix(h);
  }
  take(n: number) {
    return { data: this.buf.take(n) };
  }
  /** Where reads go. */
  get grow() {
    return this.buf;
  }
}

/** A chunk is a range of the file (with the header as prefix); only the latest read is kept. */
class RangeStore implements Store<{ range: FileRange }> {
  private start: number;
  private end: number;
  private piece: Buffer = Buffer.alloc(0);
  private pieceAt: number;
  private prefix?: Buffer;

  constructor(
    private readonly fd: number,
    private readonly path: string,
    at: number,
  ) {
    this.start = this.end = this.pieceAt = at;
  }
  get length() {
    return this.end - this.start;
  }
  /** The next read, `n` bytes at the end. */
  add(piece: Buffer) {
    this.piece = piece;
    this.pieceAt = this.end;
    this.end += piece.length;
  }
  unscanned() {
    return { buf: this.piece, base: this.pieceAt - this.start };
  }
  bytes(from: number, to: number) {
    const out = Buffer.allocUnsafe(to - from);
    let got = 0;
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, this.start + from + got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  }
  skip(n: number) {
    this.start += n;
  }
  header(h: Buffer) {
    this.prefix = h.length ? h : undefined;
  }
  take(n: number) {
    const range: FileRange = {
      path: this.path,
      fd: this.fd,
      start: this.start,
      end: this.start + n,
      prefix: this.prefix,
    };
    this.start += n;
    return { range };
  }
}

/** A chunk of fastSplit: its bytes (`data`), or a range of the input file (`range`). */
export type FastChunk = Omit<Chunk, 'data'> & ({ data: Buffer } | { range: FileRange });

/**
 * The cutting rules, over a store the input is read into: BOM, header, then chunks by
 * records or by block, then the end (a last record without newline, or an unclosed quote).
 * Call `ready` after each read, and once more at the end of input.
 */
class Cutter<T extends object> {
  private readonly ends: Ends;
  private header: boolean;
  private bomChecked: boolean;
  private offset = 0;
  private index = 0;
  private readonly want: number;
  private readonly beyond: number;

  constructor(
    private readonly store: Store<T>,
    private readonly o: ReturnType<typeof checkOptions>,
    private readonly bad: BadRecords,
    private readonly stats: ChunkStats,
    /** Bytes of BOM the caller already skipped, when it checked for one itself. */
    bom?: number,
  ) {
    const csv = o.format === 'csv' || o.format === 'tsv';
    this.ends = new Ends(csv, o.records === undefined ? o.block : Infinity);
    this.header = !csv;
    this.bomChecked = o.format === 'lines' || bom !== undefined;
    this.offset = bom ?? 0;
    // By records: the N-th record end. By block: the most records that fit (a larger record
    // is a chunk by itself), cut once a record past them is complete, as formatChunks does.
    this.want = o.records ?? 2;
    this.beyond = o.records === undefined ? o.block : -1;
  }

  private emit(n: number, k: number): Omit<Chunk, 'data'> & T {
    const chunk = { ...this.store.take(n), records: k, firstRecord: this.index, offset: this.offset };
    this.ends.cut(n, k);
    this.index += k;
    this.offset += n;
    this.stats.chunks++;
    this.stats.records += k;
    return chunk;
  }

  private cut(): Omit<Chunk, 'data'> & T {
    const e = this.ends;
    if (this.o.records !== undefined) return this.emit(e.last, this.o.records);
    return e.fit ? this.emit(e.fitLast, e.fit) : this.emit(e.first, 1);
  }

  *ready(eof: boolean): Generator<Omit<Chunk, 'data'> & T> {
    const { store, ends } = this;
    if (!this.bomChecked) {
      if (store.length < BOM.length && !eof) return;
      this.bomChecked = true;
      if (store.length >= BOM.length && store.bytes(0, BOM.length).equals(BOM)) {
        store.skip(BOM.length);
        this.offset = BOM.length;
      }
    }
    if (!this.header) {
      const { buf, base } = store.unscanned();
      ends.scan(buf, 1, -1, base);
      if (ends.count === 0 && !eof) return;
      if (ends.count === 0 && ends.open) {
        throw new WeftError('E_CSV', `unclosed quote in the header row`, {
          location: { file: this.o.name, line: 1, offset: this.offset },
        });
      }
      const n = ends.count ? ends.first : store.length;
      const h = store.bytes(0, n);
      store.skip(n);
      store.header(h);
      ends.cut(n, ends.count);
      this.offset += n;
      this.header = true;
    }
    const ready = () => ends.count >= this.want && ends.last > this.beyond;
    while (store.length > 0) {
      const { buf, base } = store.unscanned();
      ends.scan(buf, this.want, this.beyond, base);
      if (ready()) {
        yield this.cut();
        continue;
      }
      if (!eof) return;
      ends.close(store.length);
      if (ready()) {
        yield this.cut();
        continue;
      }
      // The end: the records left, and maybe one still inside quotes (a bad record, handled
      // before the last chunk, as formatChunks does).
      if (ends.open) {
        const rest = store.bytes(ends.last, store.length);
        this.bad.handle(rest, `unclosed quote: this record has no closing '"' before the end of input`, {
          line: ends.linesBeforeLast + 1,
          index: this.index + ends.count,
          offset: this.offset + ends.last,
        });
        if (ends.count > 0) yield this.emit(ends.last, ends.count);
        store.skip(store.length);
        return;
      }
      yield this.emit(store.length, ends.count);
      return;
    }
  }
}

/**
 * The same chunks as formatChunks for CSV/TSV (header on every chunk), NDJSON and lines when
 * no record needs to be looked at by itself: it only finds record ends (the quote-aware
 * scanner for CSV), and the chunk's bytes are gathered once, in a buffer handed to the job as
 * it is (from `pool` when given; see GrowBuffer). An unclosed quote at the end of input is a
 * bad record, as there.
 */
export async function* fastSplit(
  stream: AsyncIterable<Buffer> | FdSource,
  opts: ChunkOptions,
  stats: ChunkStats = newChunkStats(),
  pool?: BufferPool,
): AsyncGenerator<Chunk> {
  const o = checkOptions(opts);
  const bad = new BadRecords(o.onBadRecord, o.name, stats);
  const store = new MemoryStore(o.records === undefined ? o.block + (1 << 18) : 1 << 16, pool);
  const cutter = new Cutter(store, o, bad, stats);
  for await (const _ of fill(stream, store.grow)) yield* cutter.ready(false);
  yield* cutter.ready(true);
  await bad.flush();
}

/**
 * fastSplit over a regular file (`fd`, from byte `start` to `size`): the same chunks, handed
 * out as ranges of the file with the header as prefix, so a chunk's bytes are never held in
 * weft's memory; the file is only scanned for record ends, one read at a time.
 */
export async function* fastSplitRanges(
  fd: number,
  path: string,
  start: number,
  size: number,
  opts: ChunkOptions,
  stats: ChunkStats = newChunkStats(),
  readSize = 1 << 20,
): AsyncGenerator<FastChunk> {
  const o = checkOptions(opts);
  const bad = new BadRecords(o.onBadRecord, o.name, stats);
  // The BOM is checked first: only the latest read is kept, and every byte must be scanned.
  const head = Buffer.alloc(BOM.length);
  const bom =
    o.format !== 'lines' &&
    (await readAt(fd, head, Math.min(3, size - start), start)) === 3 &&
    head.equals(BOM)
      ? BOM.length
      : 0;
  const store = new RangeStore(fd, path, start + bom);
  const cutter = new Cutter(store, o, bad, stats, bom);
  const buf = Buffer.allocUnsafe(readSize);
  start += bom;
  for (let at = start; at < size;) {
    const n = await readAt(fd, buf, Math.min(buf.length, size - at), at);
    if (n === 0) break;
    store.add(buf.subarray(0, n));
    at += n;
    yield* cutter.ready(false);
  }
  yield* cutter.ready(true);
  await bad.flush();
}

const readAt = (fd: number, buf: Buffer, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
