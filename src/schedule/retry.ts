import type { ExecResult } from '../exec/types.js';

/** When a failed attempt is tried again, and how long to wait first. */
export interface RetryPolicy {
  /** Attempts in all (GNU --retries N: N attempts; 1 means no retry). */
  attempts: number;
  /** Whether this failed attempt (number `attempt`, from 1) should be retried. */
  retry(result: ExecResult, attempt: number): boolean;
  /** Milliseconds to wait before attempt `attempt + 1`; 0 retries at once. */
  delayMs(attempt: number): number;
}

/** GNU parallel's --retries: any failure is retried at once until `attempts` are used up. */
export function retryPolicy(attempts: number): RetryPolicy {
  return {
    attempts,
    retry: (_res, attempt) => attempt < attempts,
    delayMs: () => 0,
  };
}
