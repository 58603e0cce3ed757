import type { ExecResult } from '../exec/types.js';
import type { PlannedJob } from './scheduler.js';

/**
 * Admission control between "a slot is free" and "the job starts": rate limits, per-key
 * caps, free memory. The scheduler asks every gate before it starts a job, and may start
 * a later job whose gates are open while an earlier one waits (per-key caps must not block
 * other keys). Gates never start or stop jobs themselves.
 */
export interface Gate {
  /** Whether `job` may start now. Must be cheap: it is asked for every waiting job. */
  ready(job: PlannedJob, now: number): boolean;
  /**
   * When no waiting job is ready: resolves when this gate may have opened (a timer for a
   * rate limit or a memory poll). A gate that only opens when a job ends (per-key cap)
   * returns undefined: job ends already wake the scheduler.
   */
  wake?(now: number): Promise<void> | undefined;
  /** The job is starting (take a token, count the key). */
  started?(job: PlannedJob, now: number): void;
  /** An attempt ended; `final` once per job (release the key, feed an adaptive limit). */
  finished?(job: PlannedJob, result: ExecResult, final: boolean): void;
}
