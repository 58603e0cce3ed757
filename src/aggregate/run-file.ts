import { open, type FileHandle } from 'node:fs/promises';
import { WeftError } from '../errors.js';
import type { RecordSource, ShuffleRecord } from './records.js';

// A run file is a sorted sequence of records, each: u32 seq, u32 key length, u32 line length
// (little-endian), then the line's bytes (the key is its prefix). In memory, lines are latin1 text.
const HEADER = 12;
const WRITE_BATCH = 1 << 20;
const READ_CHUNK = 1 << 16;

const ioError = (path: string, err: unknown): WeftError =>
  new WeftError('E_SHUFFLE', `shuffle temporary file ${path}: ${(err as Error)?.message ?? String(err)}`, {
    location: { file: path },
    cause: err,
  });

/** Writes records to a new run file, in the order given, in 1 MB batches. */
export class RunWriter {
  private batch = Buffer.allocUnsafe(WRITE_BATCH);
  private used = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Creates (truncates) the run file at `path`. */
  static async create(path: string): Promise<RunWriter> {
    try {
      return new RunWriter(await open(path, 'w'), path);
    } catch (err) {
      throw ioError(path, err);
    }
  }

  /** Appends a record; returns a promise only when a batch had to be written first. */
  add(rec: ShuffleRecord): Promise<void> | void {
    if (this.used + HEADER + rec.line.length > this.batch.length) return this.flushThen(rec);
    this.encode(rec);
  }

  private encode(rec: ShuffleRecord): void {
    const b = this.batch;
    let at = this.used;
    at = b.writeUInt32LE(rec.seq, at);
    at = b.writeUInt32LE(rec.key.length, at);
    at = b.writeUInt32LE(rec.line.length, at);
    this.used = at + b.write(rec.line, at, 'latin1');
  }

  private async flushThen(rec: ShuffleRecord): Promise<void> {
    await this.flush();
    if (HEADER + rec.line.length > this.batch.length)
      this.batch = Buffer.allocUnsafe(HEADER + rec.line.length);
    this.encode(rec);
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    try {
      await this.fh.write(this.batch, 0, this.used);
    } catch (err) {
      throw ioError(this.path, err);
    }
    this.used = 0;
    if (this.batch.length > WRITE_BATCH) this.batch = Buffer.allocUnsafe(WRITE_BATCH);
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.fh.close().catch(() => {});
    }
  }

  /** Closes the file without writing the rest (on error paths). */
  async abandon(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}

/** Writes `records` (already sorted) as the run file `path`. */
export async function writeRun(path: string, records: ShuffleRecord[]): Promise<void> {
  const w = await RunWriter.create(path);
  try {
    for (const rec of records) {
      const pending = w.add(rec);
      if (pending) await pending;
    }
  } catch (err) {
    await w.abandon();
    throw err;
  }
  await w.close();
}

/** Reads a run file record by record, 64 KB at a time. */
export class RunReader implements RecordSource {
  current: ShuffleRecord | undefined;
  private buf = Buffer.alloc(0);
  private pos = 0;
  private closed = false;
  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  /** Opens a run file; call advance() to reach its first record. */
  static async open(path: string): Promise<RunReader> {
    try {
      return new RunReader(await open(path, 'r'), path);
    } catch (err) {
      throw ioError(path, err);
    }
  }

  advance(): Promise<void> | void {
    if (!this.parse()) return this.fill();
  }

  /** Takes the next whole record from the buffer, if there is one. */
  private parse(): boolean {
    const avail = this.buf.length - this.pos;
    if (avail < HEADER) return false;
    const b = this.buf;
    const lineLen = b.readUInt32LE(this.pos + 8);
    if (avail < HEADER + lineLen) return false;
    const start = this.pos + HEADER;
    const line = b.toString('latin1', start, start + lineLen);
    this.current = { seq: b.readUInt32LE(this.pos), key: line.slice(0, b.readUInt32LE(this.pos + 4)), line };
    this.pos = start + lineLen;
    return true;
  }

  private async fill(): Promise<void> {
    for (;;) {
      const rest = this.buf.subarray(this.pos);
      if (this.closed) {
        if (rest.length) throw ioError(this.path, new Error('truncated record'));
        this.current = undefined;
        return;
      }
      const need = rest.length >= HEADER ? HEADER + rest.readUInt32LE(8) - rest.length : 0;
      const chunk = Buffer.allocUnsafe(Math.max(READ_CHUNK, need));
      let n: number;
      try {
        n = (await this.fh.read(chunk, 0, chunk.length, null)).bytesRead;
      } catch (err) {
        throw ioError(this.path, err);
      }
      if (n === 0) await this.close();
      this.buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      this.pos = 0;
      if (this.parse()) return;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.fh.close().catch(() => {});
  }
}
