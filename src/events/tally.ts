import type { RunSummary, WeftEvent } from './types.js';

/**
 * Running counts of one run, fed event by event: what a progress display and
 * `weft --status` show. A `run_started` starts over (an appended events file holds
 * several runs; the last one counts).
 */
export class RunTally {
  runId?: string;
  /** Epoch milliseconds from `run_started`. */
  startedAt?: number;
  /** Job slots (with `-j auto`, the current limit). */
  slots?: number;
  /** True with `-j auto`. */
  adaptive = false;
  /** Jobs planned, when known. */
  total?: number;
  /** Jobs started at least once. */
  started = 0;
  /** Attempts in flight. */
  running = 0;
  /** Jobs whose last attempt has ended, in success or failure (not killed by --halt/a signal). */
  finished = 0;
  succeeded = 0;
  failed = 0;
  /** Skipped by --resume. */
  skipped = 0;
  /** Not run: their result came from `--cache`, or from an identical job (`--dedupe`). */
  cached = 0;
  deduped = 0;
  /** `--memfree` holds new jobs now: since when (`t`), and the memory seen. */
  held?: { t: number; freeBytes: number; limitBytes: number };
  retried = 0;
  /** `t` of the latest event (ms since the run started). */
  lastT = 0;
  /** Set by `run_finished`. */
  summary?: RunSummary;
  /** Pipe mode reading a file: its size, so progress can be measured in bytes. */
  totalBytes?: number;
  /** Bytes of the chunks whose jobs are done. */
  bytesDone = 0;
  private readonly chunkBytes = new Map<number, number>();

  apply(e: WeftEvent): void {
    if (e.type === 'run_started') this.reset();
    this.lastT = e.t;
    switch (e.type) {
      case 'run_started':
        this.runId = e.runId;
        this.startedAt = e.startedAt;
        this.slots = e.jobs;
        this.adaptive = e.maxJobs !== undefined;
        this.total = e.total;
        this.totalBytes = e.totalBytes;
        break;
      case 'chunk_ready':
        this.chunkBytes.set(e.seq, e.bytes);
        break;
      case 'job_started':
        this.running++;
        if (e.attempt === 1) this.started++;
        break;
      case 'job_finished':
        this.running = Math.max(0, this.running - 1);
        // A job weft killed for --halt or a signal did not finish (no joblog row either).
        if (e.final && e.killed !== 'halt' && e.killed !== 'interrupt') {
          this.finished++;
          if (e.exitCode === 0 && e.signal === 0) this.succeeded++;
          this.bytesDone += this.chunkBytes.get(e.seq) ?? 0;
          this.chunkBytes.delete(e.seq);
        }
        break;
      case 'job_retry':
        this.retried++;
        break;
      case 'job_failed':
        this.failed++;
        break;
      case 'job_skipped':
        if (e.reason === 'resume') this.skipped++;
        else {
          if (e.reason === 'cache') this.cached++;
          else this.deduped++;
          if (e.exitCode === 0 && e.signal === 0) this.succeeded++;
        }
        break;
      case 'jobs_held':
        this.held = { t: e.t, freeBytes: e.freeBytes, limitBytes: e.limitBytes };
        break;
      case 'jobs_released':
        this.held = undefined;
        break;
      case 'concurrency_changed':
        this.slots = e.limit;
        break;
      case 'run_finished':
        this.summary = e.summary;
        this.running = 0;
        this.held = undefined;
        break;
    }
  }

  /** Jobs that will not run again: finished, skipped, or given a reused result. */
  get done(): number {
    return this.finished + this.skipped + this.cached + this.deduped;
  }

  /** Jobs left, when the total is known. */
  get left(): number | undefined {
    return this.total === undefined ? undefined : Math.max(0, this.total - this.done);
  }

  /** Percentage done (0–100, floored), when the total is known. */
  percent(): number | undefined {
    if (this.total === undefined && this.totalBytes) {
      return Math.min(100, Math.floor((this.bytesDone * 100) / this.totalBytes));
    }
    if (this.total === undefined) return undefined;
    if (this.total === 0) return 100;
    return Math.min(100, Math.floor((this.done * 100) / this.total));
  }

  /** Finished jobs per second over `elapsedMs`. */
  rate(elapsedMs: number): number {
    return elapsedMs > 0 ? (this.finished * 1000) / elapsedMs : 0;
  }

  /**
   * Seconds until the last job finishes at the rate so far (GNU parallel's estimate:
   * jobs left × elapsed / jobs finished). Undefined while it cannot be known (total
   * unknown, no job finished yet) or when the run ended before its last job.
   */
  etaSeconds(elapsedMs: number): number | undefined {
    if (this.total === undefined && this.totalBytes) {
      if (this.bytesDone >= this.totalBytes) return 0;
      if (this.bytesDone === 0 || this.summary) return undefined;
      return (Math.max(0, this.totalBytes - this.bytesDone) * elapsedMs) / this.bytesDone / 1000;
    }
    const left = this.left;
    if (left === undefined) return undefined;
    if (left === 0) return 0;
    if (this.summary) return undefined; // ended early (--halt, a signal): nothing more will run
    if (this.finished === 0) return undefined;
    return (left * elapsedMs) / this.finished / 1000;
  }

  private reset(): void {
    this.total = undefined;
    this.totalBytes = undefined;
    this.bytesDone = 0;
    this.chunkBytes.clear();
    this.summary = undefined;
    this.started = this.running = this.finished = 0;
    this.succeeded = this.failed = this.skipped = this.retried = 0;
    this.cached = this.deduped = 0;
    this.held = undefined;
  }
}

/** `42s`, `3m05s`, `2h07m`; `?` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
