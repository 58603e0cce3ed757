import { closeSync, mkdtempSync, openSync, read, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Held output kept in memory, all jobs together, before more of it goes to temporary files. */
export const DEFAULT_SPILL_THRESHOLD = 8 << 20;

/** Bytes read back from a spill file at a time. */
const READ_SIZE = 256 << 10;

/**
 * One temporary file of held output: appended synchronously (so held output never waits in
 * memory), read back from the front in pieces.
 */
export class SpillFile {
  private fd: number | undefined;
  /** Bytes written. */
  size = 0;
  /** Bytes read back. */
  readPos = 0;
  /** Offset just past the last newline written (for --line-buffer). */
  lineEnd = 0;
  private reading = false;
  private closing = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w+', 0o600);
  }

  /** Bytes written and not read back yet. */
  get pending(): number {
    return this.size - this.readPos;
  }

  /** Appends a chunk at the end; throws the fs error (ENOSPC…) when it cannot. */
  append(chunk: Buffer): void {
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    for (let off = 0; off < chunk.length;) {
      off += writeSync(this.fd, chunk, off, chunk.length - off, this.size + off);
    }
    const nl = chunk.lastIndexOf(10);
    if (nl >= 0) this.lineEnd = this.size + nl + 1;
    this.size += chunk.length;
  }

  /** The next piece from the read position, never past `limit`; empty once closed. */
  read(limit = this.size): Promise<Buffer> {
    const n = Math.min(READ_SIZE, limit - this.readPos);
    if (this.fd === undefined || n <= 0) return Promise.resolve(Buffer.alloc(0));
    // A fresh buffer each time: the previous one may still sit in the output stream's queue.
    const buf = Buffer.allocUnsafe(n);
    this.reading = true;
    return new Promise((resolve, reject) => {
      read(this.fd!, buf, 0, n, this.readPos, (err, got) => {
        this.reading = false;
        if (this.closing) {
          this.close();
          resolve(Buffer.alloc(0));
        } else if (err) reject(err);
        else {
          this.readPos += got;
          resolve(buf.subarray(0, got));
        }
      });
    });
  }

  /** Closes and deletes the file; while a read is under way, right after it. */
  close(): void {
    if (this.fd === undefined) return;
    if (this.reading) {
      this.closing = true;
      return;
    }
    closeSync(this.fd);
    this.fd = undefined;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone with its folder
    }
  }
}

/**
 * The memory budget and the temporary folder of one collector's held output. The folder
 * (`$TMPDIR/weft-spill-XXXXXX`) is made on the first spill and removed by `remove()`, which
 * run() calls when it ends for any reason; a process that exits without it (a second
 * signal) removes it on 'exit'.
 */
export class SpillStore {
  /** Held bytes in memory now, all jobs together. */
  used = 0;
  /** Set after a spill failed: everything is held in memory from then on. */
  broken = false;
  private removed = false;
  private dir?: string;
  private count = 0;
  private readonly files = new Set<SpillFile>();
  private readonly onExit = () => this.remove();

  constructor(
    readonly limit: number = DEFAULT_SPILL_THRESHOLD,
    private readonly root: string = tmpdir(),
    /** Told once when spilling fails. */
    private readonly warn: (message: string) => void = () => {},
  ) {}

  /** False once spilling failed or the store was removed. */
  get spilling(): boolean {
    return !this.broken && !this.removed;
  }

  /** True when `bytes` more may be held in memory (always, once removed: nothing prints then). */
  fits(bytes: number): boolean {
    return !this.spilling || this.used + bytes <= this.limit;
  }

  /** A new empty spill file. */
  file(): SpillFile {
    if (!this.dir) {
      this.dir = mkdtempSync(join(this.root, 'weft-spill-'));
      process.once('exit', this.onExit);
    }
    const f = new SpillFile(join(this.dir, String(++this.count)));
    this.files.add(f);
    return f;
  }

  /** Forgets a file that was read back or dropped. */
  release(f: SpillFile): void {
    f.close();
    this.files.delete(f);
  }

  /** Stops spilling after an error; held output stays correct, in memory. */
  fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.warn(
      `weft: cannot spill held output to ${this.root}: ${(err as Error)?.message ?? String(err)}; holding it in memory\n`,
    );
  }

  /** Closes every spill file and removes the folder. Safe to call more than once. */
  remove(): void {
    this.removed = true;
    for (const f of this.files) f.close();
    this.files.clear();
    if (!this.dir) return;
    process.removeListener('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}
