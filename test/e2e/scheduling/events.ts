import { readFileSync } from 'node:fs';
import type { WeftEvent } from '../../../src/events/types.js';

/** The events of an `--events FILE`. */
export const readEvents = (file: string): WeftEvent[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WeftEvent);

/** Events of one type. */
export function ofType<T extends WeftEvent['type']>(
  events: WeftEvent[],
  type: T,
): Extract<WeftEvent, { type: T }>[] {
  return events.filter((e): e is Extract<WeftEvent, { type: T }> => e.type === type);
}

/**
 * The most attempts of one key that ran at once, per key, from job_started/job_finished
 * events (in the order they were written; a finish before a start at the same `t`).
 */
export function concurrencyByKey(
  events: WeftEvent[],
  keyOf: (command: string) => string,
): Map<string, number> {
  const now = new Map<string, number>();
  const max = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'job_started' && e.type !== 'job_finished') continue;
    const key = keyOf(e.command);
    const n = (now.get(key) ?? 0) + (e.type === 'job_started' ? 1 : -1);
    now.set(key, n);
    max.set(key, Math.max(max.get(key) ?? 0, n));
  }
  return max;
}
