import { WeftError } from '../../errors.js';
import type { BufferPool } from '../buffer-pool.js';
import { GrowBuffer } from '../grow-buffer.js';
import { fill, type FdSource } from '../pipe.js';
import { BadRecords } from './bad-records.js';
import { CsvScanner } from './csv-scan.js';
import { checkOptions } from './options.js';
import { newChunkStats, type Chunk, type ChunkOptions, type ChunkStats } from './types.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Whether `fastSplit` can cut these chunks: CSV, TSV, NDJSON or lines with nothing that needs
 * the records one by one (no --key, --overlap or --window).
 */
export function canSplitFast(o: ChunkOptions): boolean {
  return o.format !== 'json' && o.key === undefined && !o.overlap && o.windowMs === undefined;
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

  /** Scans `buf` until `count >= min` and `last > beyond`, or the bytes run out. */
  scan(buf: Buffer, min: number, beyond: number): void {
    const csv = this.csv;
    while (this.pos < buf.length && !(this.count >= min && this.last > beyond)) {
      let e: number;
      if (csv) e = csv.next(buf, this.pos);
      else {
        const nl = buf.indexOf(10, this.pos);
        e = nl < 0 ? -1 : nl + 1;
      }
      if (e < 0) {
        this.pos = buf.length;
        return;
      }
      this.add(e);
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
  const csv = o.format === 'csv' || o.format === 'tsv';
  const bad = new BadRecords(o.onBadRecord, o.name, stats);
  const pending = new GrowBuffer(o.records === undefined ? o.block + (1 << 18) : 1 << 16, pool);
  const ends = new Ends(csv, o.records === undefined ? o.block : Infinity);
  let header = !csv;
  let bomChecked = o.format === 'lines';
  let offset = 0;
  let index = 0;

  const emit = (n: number, k: number): Chunk => {
    const chunk = { data: pending.take(n), records: k, firstRecord: index, offset };
    ends.cut(n, k);
    index += k;
    offset += n;
    stats.chunks++;
    stats.records += k;
    return chunk;
  };

  function* ready(eof: boolean): Generator<Chunk> {
    if (!bomChecked) {
      const v = pending.view();
      if (v.length < BOM.length && !eof) return;
      bomChecked = true;
      if (v.length >= BOM.length && v.subarray(0, 3).equals(BOM)) {
        pending.take(BOM.length);
        offset = BOM.length;
      }
    }
    if (!header) {
      const v = pending.view();
      ends.scan(v, 1, -1);
      if (ends.count === 0 && !eof) return;
      if (ends.count === 0 && ends.open) {
        throw new WeftError('E_CSV', `unclosed quote in the header row`, {
          location: { file: o.name, line: 1, offset },
        });
      }
      const n = ends.count ? ends.first : v.length;
      pending.setPrefix(pending.take(n));
      ends.cut(n, ends.count);
      offset += n;
      header = true;
    }
    // By records: the N-th record end. By block: the most records that fit (a larger record
    // is a chunk by itself), cut once a record past them is complete, as formatChunks does.
    const want = o.records ?? 2;
    const beyond = o.records === undefined ? o.block : -1;
    const cut = (): Chunk =>
      o.records !== undefined
        ? emit(ends.last, o.records)
        : ends.fit
          ? emit(ends.fitLast, ends.fit)
          : emit(ends.first, 1);
    for (;;) {
      const v = pending.view();
      if (v.length === 0) return;
      ends.scan(v, want, beyond);
      if (ends.count >= want && ends.last > beyond) {
        yield cut();
        continue;
      }
      if (!eof) return;
      ends.close(v.length);
      if (ends.count >= want && ends.last > beyond) {
        yield cut();
        continue;
      }
      // The end: the records left, and maybe one still inside quotes (a bad record, handled
      // before the last chunk, as formatChunks does).
      if (ends.open) {
        const rest = v.subarray(ends.last);
        bad.handle(rest, `unclosed quote: this record has no closing '"' before the end of input`, {
          line: ends.linesBeforeLast + 1,
          index: index + ends.count,
          offset: offset + ends.last,
        });
        if (ends.count > 0) yield emit(ends.last, ends.count);
        pending.take(pending.length);
        return;
      }
      yield emit(v.length, ends.count);
      return;
    }
  }

  for await (const _ of fill(stream, pending)) yield* ready(false);
  yield* ready(true);
  await bad.flush();
}
