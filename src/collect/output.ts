import type { Writable } from 'node:stream';
import { WeftError } from '../errors.js';
import type { OutputSpec } from '../spec/types.js';
import { Held } from './held.js';
import { prefixLines } from './lines.js';
import { SpillStore } from './spill.js';

/** One job's output on its way to the sinks. */
class JobOutput {
  readonly out: Held;
  readonly err: Held;
  done = false;
  outAtLineStart = true;
  errAtLineStart = true;
  constructor(
    readonly seq: number,
    readonly tag: Buffer,
    store: SpillStore,
  ) {
    this.out = new Held(store);
    this.err = new Held(store);
  }
}

/** The output channels a job writes to while it runs. */
export interface JobSink {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/** How much output may be held in memory, and where the rest goes. */
export interface CollectorOptions {
  /** Bytes held in memory (all jobs together) before held output spills to a file. */
  spillThreshold?: number;
  /** Where spill folders are made (default: os.tmpdir(), i.e. $TMPDIR). */
  tmpDir?: string;
}

/** Resolves once `stream` may be written again (or will never be). */
function room(stream: Writable): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    stream.on('drain', done).on('close', done).on('error', done);
  });
}

/**
 * Moves job output to stdout/stderr as GNU parallel does: grouped per job (default),
 * line by line (`--line-buffer`) or as it comes (`-u`); in input order with `-k`; with
 * every line prefixed by the tag when `--tag`/`--tagstring` is on. stderr stays stderr.
 *
 * Output that may not be printed yet is held: in memory up to the spill threshold (all
 * jobs together), in temporary files past it. One writer moves it out, in order, and waits
 * whenever stdout or stderr asks it to ('drain'), so memory stays bounded however much a
 * job prints and however slowly its reader reads.
 */
export class OutputCollector {
  private readonly jobs = new Map<number, JobOutput>();
  /** With -k: the next sequence number allowed to print. */
  private head = 1;
  private readonly finishedEarly = new Set<number>();
  /** Finished jobs whose turn has come, in printing order. */
  private readonly ready: JobOutput[] = [];
  private pumping = false;
  private failure: { error: unknown } | undefined;
  private waiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private readonly store: SpillStore;

  constructor(
    private readonly spec: OutputSpec,
    private readonly stdout: Writable,
    private readonly stderr: Writable,
    options: CollectorOptions = {},
  ) {
    this.store = new SpillStore(options.spillThreshold, options.tmpDir, (m) => stderr.write(m));
  }

  /** Whether a running job may print now rather than at its end. */
  private live(j: JobOutput): boolean {
    if (this.spec.mode === 'group' || j.done) return false;
    return !this.spec.keepOrder || j.seq === this.head;
  }

  /** Writes one piece to its sink; a promise when the sink wants the writer to wait. */
  private write(j: JobOutput, which: 'out' | 'err', data: Buffer): Promise<void> | undefined {
    if (data.length === 0) return undefined;
    const sink = which === 'out' ? this.stdout : this.stderr;
    let ok: boolean;
    if (this.spec.mode === 'ungroup' || j.tag.length === 0) ok = sink.write(data);
    else {
      const key = which === 'out' ? 'outAtLineStart' : 'errAtLineStart';
      ok = sink.write(prefixLines(data, j.tag, j[key]));
      j[key] = data[data.length - 1] === 10;
    }
    return ok ? undefined : room(sink);
  }

  /** Prints a job's held output: all of it, or (live, --line-buffer) its complete lines. */
  private async flush(j: JobOutput, all: boolean): Promise<boolean> {
    const lines = !all && this.spec.mode === 'line-buffer';
    const out = await j.out.drain((b) => this.write(j, 'out', b), lines);
    const err = await j.err.drain((b) => this.write(j, 'err', b), lines);
    return out || err;
  }

  /** Starts the writer unless it runs; it stops when nothing more may be printed. */
  private pump(): void {
    if (this.pumping || this.failure) return;
    this.pumping = true;
    this.writer().then(
      () => this.settle(),
      (error: unknown) => {
        const why = (error as Error)?.message ?? String(error);
        this.failure = {
          error: new WeftError('E_SPILL', `cannot read held output back: ${why}`, { cause: error }),
        };
        this.settle();
      },
    );
  }

  private async writer(): Promise<void> {
    for (;;) {
      const j = this.ready[0];
      if (j) {
        await this.flush(j, true);
        this.ready.shift();
        continue;
      }
      let wrote = false;
      for (const r of [...this.jobs.values()]) if (this.live(r) && (await this.flush(r, false))) wrote = true;
      if (!wrote) return;
    }
  }

  private settle(): void {
    this.pumping = false;
    if (this.ready.length && !this.failure) return this.pump();
    for (const w of this.waiters.splice(0)) {
      if (this.failure) w.reject(this.failure.error);
      else w.resolve();
    }
  }

  /** Registers a job that is about to run and returns where its output goes. */
  start(seq: number, tag: string): JobSink {
    const j = new JobOutput(seq, this.spec.tag ? Buffer.from(tag + '\t') : Buffer.alloc(0), this.store);
    this.jobs.set(seq, j);
    return {
      onStdout: (chunk) => {
        j.out.push(chunk);
        if (this.live(j)) this.pump();
      },
      onStderr: (chunk) => {
        j.err.push(chunk);
        if (this.live(j)) this.pump();
      },
    };
  }

  /** Forgets the buffered output of a failed attempt that will be retried. */
  retry(seq: number): void {
    const j = this.jobs.get(seq);
    if (j && this.spec.mode === 'group') {
      j.out.clear();
      j.err.clear();
    }
  }

  /** Marks a job finished (after its last attempt) and prints what may be printed. */
  finish(seq: number): void {
    const j = this.jobs.get(seq);
    if (!j) {
      this.passOver(seq);
      return;
    }
    j.done = true;
    if (!this.spec.keepOrder) {
      this.jobs.delete(seq);
      this.ready.push(j);
      this.pump();
      return;
    }
    this.finishedEarly.add(seq);
    this.advance();
  }

  /** Forgets a job that was killed by weft (halt, interrupt): its held output is not shown. */
  discard(seq: number): void {
    const j = this.jobs.get(seq);
    j?.out.clear();
    j?.err.clear();
    this.jobs.delete(seq);
    this.passOver(seq);
  }

  /** A job that never runs (resumed, or never started after a halt) still moves -k along. */
  passOver(seq: number): void {
    this.finishedEarly.add(seq);
    if (this.spec.keepOrder) this.advance();
  }

  private advance(): void {
    while (this.finishedEarly.has(this.head)) {
      this.finishedEarly.delete(this.head);
      const j = this.jobs.get(this.head);
      if (j) {
        this.jobs.delete(j.seq);
        this.ready.push(j);
      }
      this.head++;
    }
    // The new head may be running: the writer shows what it has so far.
    this.pump();
  }

  /** Prints whatever is still held (e.g. after a halt), in order. */
  end(): void {
    const rest = [...this.jobs.values()].filter((j) => j.done).sort((a, b) => a.seq - b.seq);
    for (const j of rest) {
      this.jobs.delete(j.seq);
      this.ready.push(j);
    }
    this.pump();
  }

  /** Resolves once everything printable has been handed to stdout/stderr. */
  idle(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (!this.pumping && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Removes the spill files; run() calls it however the run ends. */
  close(): void {
    for (const j of this.jobs.values()) {
      j.out.clear();
      j.err.clear();
    }
    for (const j of this.ready) {
      j.out.clear();
      j.err.clear();
    }
    this.store.remove();
  }
}
