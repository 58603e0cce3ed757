import type { RunSummary, WeftEvent } from '../events/types.js';
import type { Attempt } from './stats.js';

/** A job that failed (or that weft stopped), with what caused it. */
export interface FailedJob {
  seq: number;
  attempts: number;
  slot: number;
  exitCode: number;
  signal: number;
  killed?: string;
  /** Epoch milliseconds. */
  start: number;
  durationMs: number;
  args: string[];
  command: string;
}

/** A finished attempt as the events tell it (start in epoch milliseconds). */
export type RawAttempt = Omit<Attempt, 'startMs' | 'endMs'> & { start: number };

/**
 * Collects what a report needs from a run's events: every attempt (no output, no args), the
 * failed jobs with their args and command, counts and the final summary. Memory grows with
 * attempts, not with output.
 */
export class ReportCollector {
  runId?: string;
  /** Epoch milliseconds from `run_started`. */
  startedAt?: number;
  /** Job slots from `run_started`; with `-j auto`, the highest limit it reached. */
  slots = 0;
  /** `-j auto`'s changes of the limit, in bus time (ms since the run started). */
  readonly concurrency: { t: number; limit: number; reason: string }[] = [];
  readonly attempts: RawAttempt[] = [];
  /** Jobs counted as failed (`job_failed`), in the order they failed. */
  readonly failures: FailedJob[] = [];
  /** Jobs weft ended because of `--halt now` or a signal. */
  readonly stopped: FailedJob[] = [];
  /** Attempts started and not finished yet, by seq: slot, attempt and bus time of the start. */
  readonly running = new Map<number, { slot: number; attempt: number; t: number; command: string }>();
  /** Attempts that failed, by seq, until the job is known to be failed or retried. */
  private readonly lastFailed = new Map<number, FailedJob>();
  jobsStarted = 0;
  succeeded = 0;
  skipped = 0;
  /** Jobs given a reused result (`--cache`, `--dedupe`). */
  cached = 0;
  deduped = 0;
  retried = 0;
  summary?: RunSummary;
  /** Bus time of the last event (ms since the run started). */
  lastT = 0;

  readonly listener = (e: WeftEvent): void => {
    this.runId ??= e.runId;
    this.lastT = Math.max(this.lastT, e.t);
    switch (e.type) {
      case 'run_started':
        this.startedAt = e.startedAt;
        this.slots = e.jobs;
        break;
      case 'job_started':
        if (e.attempt === 1) this.jobsStarted++;
        this.running.set(e.seq, { slot: e.slot, attempt: e.attempt, t: e.t, command: e.command });
        break;
      case 'job_finished': {
        this.running.delete(e.seq);
        this.attempts.push({
          seq: e.seq,
          attempt: e.attempt,
          slot: e.slot,
          start: e.start,
          durationMs: e.durationMs,
          exitCode: e.exitCode,
          signal: e.signal,
          ...(e.killed ? { killed: e.killed } : {}),
          final: e.final,
        });
        const failed = e.exitCode !== 0 || e.signal !== 0;
        if (!failed) {
          if (e.final) this.succeeded++;
          break;
        }
        const job: FailedJob = {
          seq: e.seq,
          attempts: e.attempt,
          slot: e.slot,
          exitCode: e.exitCode,
          signal: e.signal,
          ...(e.killed ? { killed: e.killed } : {}),
          start: e.start,
          durationMs: e.durationMs,
          args: e.args,
          command: e.command,
        };
        if (e.final && (e.killed === 'halt' || e.killed === 'interrupt')) this.stopped.push(job);
        else if (e.final) this.lastFailed.set(e.seq, job);
        break;
      }
      case 'job_failed': {
        const job = this.lastFailed.get(e.seq);
        this.lastFailed.delete(e.seq);
        if (job) this.failures.push(job);
        break;
      }
      case 'job_retry':
        this.retried++;
        break;
      case 'job_skipped':
        if (e.reason === 'resume') {
          this.skipped++;
          break;
        }
        if (e.reason === 'cache') this.cached++;
        else this.deduped++;
        if (e.exitCode === 0 && e.signal === 0) this.succeeded++;
        else {
          const now = this.startedAt ?? 0;
          // A duplicate of a failed job fails as it did; its job_failed follows.
          this.lastFailed.set(e.seq, {
            seq: e.seq,
            attempts: 0,
            slot: 0,
            exitCode: e.exitCode,
            signal: e.signal,
            start: now + e.t,
            durationMs: 0,
            args: e.args,
            command: e.command,
          });
        }
        break;
      case 'concurrency_changed':
        this.slots = Math.max(this.slots, e.limit);
        this.concurrency.push({ t: e.t, limit: e.limit, reason: e.reason });
        break;
      case 'run_finished':
        this.summary = e.summary;
        break;
    }
  };
}
