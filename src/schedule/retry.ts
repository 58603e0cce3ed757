import { parseDuration } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import { signalName, signalNumber } from '../exec/terminate.js';
import type { ExecResult } from '../exec/types.js';
import type { RetryDelay, RetryOn } from '../spec/types.js';

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

/** What `--retries`, `--retry-delay` and `--retry-on` ask for. */
export interface RetrySettings {
  attempts: number;
  delay?: RetryDelay;
  on?: RetryOn;
  /** A number in [0, 1): the jitter's source (Math.random; tests pass their own). */
  random?: () => number;
}

/** The longest backoff step weft computes (2^30 × the first wait is more than anyone waits). */
const MAX_DOUBLINGS = 30;

/**
 * The wait before attempt `attempt + 1`: a fixed delay, or for a range exponential backoff
 * (min, 2×min, 4×min, … capped at max) with full jitter (a random time up to that step).
 */
export function backoffMs(delay: RetryDelay, attempt: number, random: () => number): number {
  if (delay.max === undefined) return Math.round(delay.min * 1000);
  const step = Math.min(delay.max, delay.min * 2 ** Math.min(attempt - 1, MAX_DOUBLINGS));
  return Math.round(random() * step * 1000);
}

/** Whether a failed attempt is one `--retry-on` names. */
export function retriesOn(on: RetryOn, res: ExecResult): boolean {
  if (on.timeout && res.killed === 'timeout') return true;
  if (res.killed !== 'timeout' && res.exitCode !== 0 && on.exitCodes.includes(res.exitCode)) return true;
  return res.signal !== 0 && on.signals.includes(res.signal);
}

/** The retry policy for the given settings; without delay and codes, GNU's. */
export function retryPolicyFor(s: RetrySettings): RetryPolicy {
  const random = s.random ?? Math.random;
  return {
    attempts: s.attempts,
    retry: (res, attempt) => attempt < s.attempts && (!s.on || retriesOn(s.on, res)),
    delayMs: (attempt) => (s.delay ? backoffMs(s.delay, attempt, random) : 0),
  };
}

/**
 * Parses `--retry-on`: a comma list of exit codes (1–255), signal names (`KILL`, `SIGTERM`)
 * and `timeout`. A code above 128 also means death by signal code−128 and a signal also
 * means exit code 128+N, because a shell reports one as the other.
 */
export function parseRetryOn(text: string): RetryOn {
  const on: RetryOn = { exitCodes: [], signals: [], timeout: false };
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item.toLowerCase() === 'timeout') {
      on.timeout = true;
      continue;
    }
    if (/^\d+$/.test(item)) {
      const code = Number(item);
      if (code < 1 || code > 255)
        throw new WeftError('E_OPTION', `--retry-on: exit code '${item}' must be from 1 to 255`);
      on.exitCodes.push(code);
      if (code > 128 && signalName(String(code - 128))) on.signals.push(code - 128);
      continue;
    }
    const sig = /^[A-Za-z]/.test(item) ? signalName(item) : undefined;
    if (!sig) {
      throw new WeftError(
        'E_OPTION',
        `--retry-on: '${item}' is not an exit code, a signal name or 'timeout' (e.g. 75,KILL,timeout)`,
      );
    }
    on.signals.push(signalNumber(sig));
    on.exitCodes.push(128 + signalNumber(sig));
  }
  return on;
}

/** Parses `--retry-delay`: a duration (`2s`), or a backoff range `MIN..MAX` (`1s..30s`). */
export function parseRetryDelay(text: string): RetryDelay {
  const parse = (t: string) => parseDuration(t, '--retry-delay');
  const [a, b, ...rest] = text.split('..');
  if (rest.length) throw new WeftError('E_OPTION', `--retry-delay: '${text}' is not a duration or MIN..MAX`);
  const min = parse(a);
  if (b === undefined) return { min };
  const max = parse(b);
  if (min <= 0 || max < min) {
    throw new WeftError(
      'E_OPTION',
      `--retry-delay: '${text}' needs 0 < MIN <= MAX (e.g. 1s..30s: 1s, doubling up to 30s)`,
    );
  }
  return { min, max };
}
