// The vocabulary of `-j auto` (adaptive.ts): why the limit changes, its tuning, and how a window
// of finished jobs is measured.

/** Why `-j auto` changed the number of slots (the `concurrency_changed` event's `reason`). */
export type AdaptReason =
  /** Slow start: throughput rose with the last doubling, so the limit doubles again. */
  | 'ramp'
  /** Steady state: a step up (or halfway back after one that gained too little), on trial. */
  | 'probe'
  /** The step up did not raise throughput enough: back down. */
  | 'no-gain'
  /** Latency rose at an unchanged limit (the service or machine got slower): one step down. */
  | 'latency'
  /** The step down lost throughput (the jobs got slower, not the service): back up. */
  | 'restore'
  /** More jobs failed than before: a cut by a quarter, or (above their floor) one step down. */
  | 'failures'
  /** The load average is above the cores plus the load before the run, and the jobs slowed. */
  | 'load'
  /** Free memory is below 10%. */
  | 'memory';

/** One change of the limit, with the window measurements that caused it. */
export interface LimitChange {
  limit: number;
  previous: number;
  reason: AdaptReason;
  /** Mean duration of the window's successful jobs, when it had some. */
  latencyMs?: number;
  /** Successful jobs per second in the window (Little's law: running ÷ latency). */
  jobsPerSec?: number;
}

/** Tuning and probes of the controller; tests inject a clock, load and memory. */
export interface AdaptiveOptions {
  /** The first limit (default 2). */
  initial?: number;
  /** The highest limit (default 256). */
  max?: number;
  /** CPU cores, for the load rule (default: availableParallelism()). */
  cores?: number;
  now?: () => number;
  /** The 1-minute load average. */
  load?: () => number;
  /** Free memory as a fraction of the total, 0..1. */
  freeMemory?: () => number;
  onChange?(change: LimitChange): void;
}

/** Completions per window in slow start: at least this many, and one per slot. */
export const RAMP_SAMPLES = 2;
/** Completions per window in steady state: twice this many at least, and two per slot. */
export const MIN_SAMPLES = 4;
/** In steady state, latency this far above its floor tries a step down. */
export const TOLERANCE = 0.25;
/** In steady state, a failure rate this much above its floor (10 points) tries a step down. */
export const FAIL_TOLERANCE = 0.1;
/** A step up must win at least this share of the throughput proportional to it. */
export const GAIN_SHARE = 0.25;
/** A step down may lose at most this share of it (a stricter test: noise must not walk down). */
export const KEEP_SHARE = 0.25;
/** Multiplicative back-off for failures, load and memory. */
export const CUT = 0.75;
/** Most windows to wait between two probes up after probes kept failing. */
export const MAX_HOLD = 16;
/** Jobs ended before the failure rate counts as a baseline for the failure rule. */
export const FAILURE_BASELINE = 20;
/** Free memory below this fraction cuts the limit; below twice it the limit does not grow. */
export const LOW_MEMORY = 0.1;
/** Time between two cuts for load (the 1-minute load average follows a cut slowly). */
export const LOAD_COOLDOWN_MS = 10_000;

/** What a decision measures: the jobs that ended since the last one, all started under one limit. */
export interface Window {
  n: number;
  ok: number;
  failed: number;
  okMs: number;
  /** Sum over completions of the jobs running at that moment (Little's law's concurrency). */
  running: number;
  /** Completions that found every slot busy. */
  full: number;
}

/** A window with no job in it yet. */
export const emptyWindow = (): Window => ({ n: 0, ok: 0, failed: 0, okMs: 0, running: 0, full: 0 });

/** A window's mean latency of successful jobs and its goodput in jobs per millisecond. */
export interface Stats {
  latencyMs?: number;
  rate: number;
}

/** Little's law: jobs in flight ÷ time per job = jobs per ms; only successes count. */
export function measure(w: Window): Stats {
  if (w.ok === 0) return { rate: 0 };
  const latencyMs = w.okMs / w.ok;
  return { latencyMs, rate: ((w.running / w.n) * (w.ok / w.n)) / latencyMs };
}

/**
 * True when a window failed markedly more often than the `before` jobs ended before it, of which
 * `failedBefore` failed: at least 2 failures, 20 jobs of history, and a rate above the history's
 * by 10 points or 2.5 standard deviations, whichever is more.
 */
export function failuresRose(w: Window, before: number, failedBefore: number): boolean {
  if (before < FAILURE_BASELINE || w.failed < 2) return false;
  const base = failedBefore / before;
  const margin = Math.max(0.1, 2.5 * Math.sqrt((base * (1 - base)) / w.n));
  return w.failed / w.n > base + margin;
}
