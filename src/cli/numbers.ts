import { availableParallelism } from 'node:os';
import { WeftError } from '../errors.js';
import { parseDuration } from '../chunk/units.js';
import { MAX_SLOTS } from '../spec/defaults.js';

export { MAX_SLOTS };

/**
 * Parses -j: N, N% of the cores, +N / -N relative to the cores, 0 for as many as possible, or
 * `auto` for adaptive concurrency.
 */
export function parseJobs(text: string, cores = availableParallelism()): number | 'auto' {
  if (text.trim() === 'auto') return 'auto';
  const m = /^([+-]?)(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw new WeftError('E_OPTION', `-j: '${text}' is not a number of jobs (N, N%, +N, -N, 0 or auto)`);
  const n = Number(m[2]);
  let jobs: number;
  if (m[3] === '%') jobs = Math.floor((cores * n) / 100);
  else if (m[1] === '+') jobs = cores + n;
  else if (m[1] === '-') jobs = cores - n;
  else if (n === 0) return MAX_SLOTS;
  else jobs = Math.floor(n);
  return Math.min(MAX_SLOTS, Math.max(1, jobs));
}

/** Parses a whole number of at least `min` for the named option. */
export function parseCount(text: string, option: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min) {
    throw new WeftError(
      'E_OPTION',
      `${option}: '${text}' is not a whole number${min > 0 ? ` ≥ ${min}` : ''}`,
    );
  }
  return n;
}

/** Parses --timeout: seconds (with an optional unit) or N% of the median runtime. */
export function parseTimeout(text: string): { seconds: number } | { percent: number } {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (pct) return { percent: Number(pct[1]) };
  const seconds = parseDuration(text, '--timeout');
  if (seconds <= 0) throw new WeftError('E_OPTION', `--timeout: '${text}' must be more than 0`);
  return { seconds };
}

/** Parses --nice: a niceness from -20 to 19 (GNU: the job's absolute niceness). */
export function parseNice(text: string): number {
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || n < -20 || n > 19)
    throw new WeftError('E_OPTION', `--nice: '${text}' is not a niceness from -20 to 19`);
  return n;
}
