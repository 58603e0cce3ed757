import {
  closeSync,
  existsSync,
  fstatSync,
  fsync,
  fsyncSync,
  ftruncateSync,
  openSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { fileError, WeftError } from '../errors.js';
import type { ExecResult } from '../exec/types.js';
import type { PlannedJob } from '../schedule/scheduler.js';
import type { JobSpec } from '../spec/types.js';
import { contentHash } from './job-id.js';
import { encodeRecord, headerLine, readOutput, scanJournal, type JournalEntry } from './journal-file.js';
import type { EventListener } from './types.js';

const fsyncAsync = (fd: number) =>
  new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));

/** Options of Journal.open. */
export interface JournalOptions {
  /** 'none' starts a new journal; otherwise the jobs it holds are replayed. */
  resume: JobSpec['resume'];
  fingerprint: string;
  /** Where a one-line notice goes (a changed input). */
  warn(line: string): void;
}

/** Counts for the end of the run. */
export interface JournalStats {
  /** Jobs taken from the journal instead of being run. */
  replayed: number;
  /** Of those, the ones that had failed (they count in the exit status). */
  replayedFailed: number;
  /** Jobs the journal holds whose input is no longer the same: run again. */
  changed: number;
  /** Records written and fsync calls made by this run. */
  written: number;
  fsyncs: number;
}

/**
 * The crash-safe journal (`--journal FILE`, docs/reliability.md): one record per finished
 * job with its output, appended with one write and fsynced in groups. On `--resume` it says
 * which jobs are done and hands back their output.
 */
export class Journal {
  readonly stats: JournalStats = { replayed: 0, replayedFailed: 0, changed: 0, written: 0, fsyncs: 0 };
  /** Offsets of pipe-mode chunks, from chunk_ready events, until the job is recorded. */
  private readonly offsets = new Map<number, number>();
  private nextOffset = 0;
  private chain: Promise<void> = Promise.resolve();
  private syncing: Promise<void> | undefined;
  private unsynced = false;
  private failure: unknown;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly fd: number,
    /** Where the next record goes: the end of the last intact one. */
    private end: number,
    private readonly done: Map<number, JournalEntry>,
    private readonly opts: JournalOptions,
  ) {}

  /** Opens (resume) or starts the journal at `path`; a file that is not a journal is refused. */
  static open(path: string, opts: JournalOptions): Journal {
    let fd: number | undefined;
    try {
      const exists = existsSync(path);
      fd = openSync(path, exists ? 'r+' : 'w+');
      const scan = scanJournal(fd, fstatSync(fd).size);
      if (scan.kind === 'foreign') {
        throw new WeftError('E_JOURNAL', 'not a weft journal; refusing to overwrite it', {
          location: { file: path },
        });
      }
      if (scan.kind === 'journal' && opts.resume !== 'none') {
        if (scan.fingerprint !== opts.fingerprint) {
          throw new WeftError(
            'E_JOURNAL',
            'the journal was written for another job (command or options differ); ' +
              'run without --resume to start over',
            { location: { file: path } },
          );
        }
        // A torn tail (a kill in the middle of a write) is cut off before anything is appended.
        ftruncateSync(fd, scan.end);
        return new Journal(path, fd, scan.end, scan.entries, opts);
      }
      ftruncateSync(fd, 0);
      const header = headerLine(opts.fingerprint);
      writeAll(fd, header, 0);
      fsyncSync(fd);
      if (!exists) syncDir(dirname(path));
      return new Journal(path, fd, header.length, new Map(), opts);
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw err instanceof WeftError ? err : fileError(path, err);
    }
  }

  /** True when the journal holds jobs of an earlier run to replay. */
  get resuming(): boolean {
    return this.done.size > 0;
  }

  /** Keeps the offset of each pipe-mode chunk: the sum of the sizes of the chunks before it. */
  readonly listener: EventListener = (e) => {
    if (e.type !== 'chunk_ready') return;
    this.offsets.set(e.seq, this.nextOffset);
    this.nextOffset += e.bytes;
  };

  private offsetOf(job: PlannedJob): number | null {
    if (job.stdin.kind === 'range') return job.stdin.range.start;
    return this.offsets.get(job.seq) ?? null;
  }

  /** Whether the journal holds a result for job `seq` (a resume may replay it). */
  holds(seq: number): boolean {
    return this.done.has(seq);
  }

  /**
   * The stored result of `job` when the journal holds it for the same input (seq, offset and
   * content hash) and the resume mode skips it; undefined when the job must run.
   */
  async lookup(job: PlannedJob): Promise<JournalEntry | undefined> {
    const e = this.done.get(job.seq);
    if (!e) return undefined;
    const failed = e.exitCode !== 0 || e.signal !== 0;
    if (failed && this.opts.resume === 'retry-failed') return undefined;
    if (e.offset !== this.offsetOf(job) || e.hash !== (await contentHash(job))) {
      if (this.stats.changed++ === 0) {
        this.opts.warn(
          `weft: ${this.path}: the input of job ${job.seq} differs from the journal; ` +
            'jobs whose input changed run again\n',
        );
      }
      return undefined;
    }
    this.offsets.delete(job.seq);
    this.stats.replayed++;
    if (failed) this.stats.replayedFailed++;
    return e;
  }

  /** A stored job's stdout and stderr, read back from the journal file. */
  output(e: JournalEntry): { stdout: Buffer; stderr: Buffer } {
    return readOutput(this.fd, e);
  }

  /** Appends a finished job (its last attempt) with its output; written in order, fsynced in groups. */
  record(job: PlannedJob, result: ExecResult, out: readonly Buffer[], err: readonly Buffer[]): void {
    const offset = this.offsetOf(job);
    this.offsets.delete(job.seq);
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined || this.closed) return;
      try {
        const hash = await contentHash(job);
        if (hash === undefined) return; // cannot be checked on resume: it will run again
        const rec = { seq: job.seq, offset, hash, exitCode: result.exitCode, signal: result.signal };
        const buf = encodeRecord(rec, out, err);
        writeAll(this.fd, buf, this.end);
        this.end += buf.length;
        this.stats.written++;
        this.unsynced = true;
        this.syncing ??= this.syncLoop();
      } catch (error) {
        this.failure = error;
      }
    });
  }

  /** fsyncs until nothing written is unsynced; one fsync covers every record written before it. */
  private async syncLoop(): Promise<void> {
    while (this.unsynced && this.failure === undefined) {
      this.unsynced = false;
      try {
        await fsyncAsync(this.fd);
        this.stats.fsyncs++;
      } catch (error) {
        this.failure = error;
      }
    }
    this.syncing = undefined;
  }

  /** Waits until every record is written and fsynced; a write error becomes an E_JOURNAL error. */
  async flush(): Promise<void> {
    await this.chain;
    await this.syncing;
    if (this.failure !== undefined) {
      const why = (this.failure as Error)?.message ?? String(this.failure);
      throw new WeftError('E_JOURNAL', `cannot write the journal: ${why}`, {
        location: { file: this.path },
        cause: this.failure,
      });
    }
  }

  /** Flushes what it can (errors are not reported here) and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => {});
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Writes all of `buf` at `pos`. */
function writeAll(fd: number, buf: Buffer, pos: number): void {
  for (let done = 0; done < buf.length;) done += writeSync(fd, buf, done, buf.length - done, pos + done);
}

/** fsyncs a directory so a new file's name survives a power cut (best effort). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems cannot fsync a directory
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
