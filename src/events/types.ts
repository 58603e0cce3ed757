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
  | (Base & { type: 'run_finished'; summary: RunSummary });

/** The outcome of a run. */
export interface RunSummary {
  /** Jobs started (not counting retries) and finished. */
  jobs: number;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Extra attempts made by `--retries`. */
  retried: number;
  halted: boolean;
  interrupted?: 'SIGINT' | 'SIGTERM';
  /** GNU parallel's exit status: failed jobs (max 101), halt status, 130/143 after a signal. */
  exitCode: number;
  wallMs: number;
  /** Sum of job durations divided by wall time. */
  speedup: number;
}

/** A function that receives events. */
export type EventListener = (e: WeftEvent) => void;
