import type { AdaptReason } from '../schedule/adaptive.js';

/** Fields every event carries. */
interface Base {
  runId: string;
  /** Milliseconds since the run started (monotonic). */
  t: number;
}

/** Everything that happens in a run, as a union keyed on `type`. */
export type WeftEvent =
  | (Base & {
      type: 'run_started';
      /** Job slots; with `-j auto`, the first limit. */
      jobs: number;
      /** With `-j auto`: the most slots it may open (`concurrency_changed` tells each change). */
      maxJobs?: number;
      startedAt: number;
      /** Jobs planned, when known before the first starts (finite input, see RunOptions.countTotal). */
      total?: number;
      /** Pipe mode reading a regular file: its size in bytes (progress by bytes). */
      totalBytes?: number;
    })
  /** Pipe mode: a chunk is cut and about to be handed to a job. */
  | (Base & { type: 'chunk_ready'; seq: number; bytes: number })
  | (Base & { type: 'job_started'; seq: number; slot: number; attempt: number; command: string })
  | (Base & {
      type: 'job_finished';
      seq: number;
      slot: number;
      attempt: number;
      /** False when the job will be retried. */
      final: boolean;
      command: string;
      args: string[];
      exitCode: number;
      signal: number;
      killed?: string;
      start: number;
      durationMs: number;
      stdoutBytes: number;
      stderrBytes: number;
    })
  | (Base & {
      type: 'job_retry';
      seq: number;
      attempt: number;
      exitCode: number;
      signal: number;
      /** Milliseconds weft waits before the next attempt. */
      delayMs: number;
    })
  | (Base & { type: 'job_failed'; seq: number; exitCode: number; signal: number; command: string })
  | (Base & { type: 'job_skipped'; seq: number; reason: 'resume' })
  /** `-j auto` changed how many jobs may run at once, and why (docs/scheduling.md). */
  | (Base & {
      type: 'concurrency_changed';
      limit: number;
      previous: number;
      reason: AdaptReason;
      /** Mean duration of the successful jobs the decision measured. */
      latencyMs?: number;
      /** Their goodput: successful jobs per second. */
      jobsPerSec?: number;
    })
  /**
   * A signal arrived: no new job starts; `kill` when the running jobs are being killed too
   * (a second signal), else they may finish. `running` are the jobs running at that moment.
   */
  | (Base & {
      type: 'run_stopping';
      reason: string;
      kill: boolean;
      running: { seq: number; command: string }[];
    })
  /** A job whose result was known: replayed from `--cache` or from an identical job (`--dedupe`). */
  | (Base & {
      type: 'job_skipped';
      seq: number;
      reason: 'cache' | 'dedupe';
      command: string;
      args: string[];
      /** The reused result's exit status and signal (a duplicate of a failed job fails too). */
      exitCode: number;
      signal: number;
      /** The result's key: sha256 of the command line, stdin and `--cache-env` values. */
      key: string;
      /** `dedupe`: the job whose result this is. */
      of?: number;
    })
  /** `--memfree`: free memory fell below the limit; no new job starts until it is back. */
  | (Base & { type: 'jobs_held'; reason: 'memfree'; freeBytes: number; limitBytes: number })
  /** The hold is over. */
  | (Base & { type: 'jobs_released'; reason: 'memfree'; freeBytes: number; heldMs: number })
  | (Base & { type: 'run_finished'; summary: RunSummary });

/** The outcome of a run. */
export interface RunSummary {
  /** Jobs started (not counting retries) and finished. */
  jobs: number;
  /** Jobs by outcome, reused results (cache, dedupe) included. */
  succeeded: number;
  failed: number;
  skipped: number;
  /** Extra attempts made by `--retries`. */
  retried: number;
  /** Jobs not run because `--cache` had their result (counted in succeeded). */
  cached?: number;
  /** Jobs not run because an identical job's result was reused (`--dedupe`; in succeeded or failed). */
  deduped?: number;
  halted: boolean;
  interrupted?: 'SIGINT' | 'SIGTERM' | 'SIGHUP';
  /** GNU parallel's exit status: failed jobs (max 101), halt status, 128+N after signal N (130, 143, 129). */
  exitCode: number;
  wallMs: number;
  /** Sum of job durations divided by wall time. */
  speedup: number;
}

/** A function that receives events. */
export type EventListener = (e: WeftEvent) => void;
