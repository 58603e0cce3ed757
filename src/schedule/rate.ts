import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError } from '../errors.js';
import type { Gate } from './gate.js';

const PER = { s: 1, m: 60, h: 3600 } as const;

/** Parses `--rate`: `N/s`, `N/m`, `N/h` or a bare N (per second) into starts per second. */
export function parseRate(text: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m|h))?$/.exec(String(text).trim());
  const n = m ? Number(m[1]) / PER[(m[2] ?? 's') as keyof typeof PER] : 0;
  if (!m || !(n > 0)) {
    throw new WeftError('E_OPTION', `--rate: '${text}' is not a rate above 0 (e.g. 10/s, 100/m, 5000/h)`);
  }
  return n;
}

// Token counts are fractions of a token: compare with a little slack for rounding.
const EPS = 1e-6;
// The scheduler's wait does not end on an interrupt: with --rate 1/h a wait is cut into
// short ones, so a Ctrl-C is seen within this long.
const MAX_WAIT_MS = 250;

/**
 * `--rate N/s --burst B`: a token bucket. It holds up to B tokens and gains one every 1/N
 * seconds; each job start takes one, so over any span at most B + N × span jobs start, and a
 * steady stream starts exactly N a second. Starts past the bucket wait; later jobs never jump
 * the queue because every job needs the same token.
 */
export class RateGate implements Gate {
  private tokens: number;
  private last?: number;
  private readonly perMs: number;
  private pending?: { until: number; done: boolean; promise: Promise<void> };

  constructor(
    perSecond: number,
    private readonly burst = 1,
  ) {
    this.perMs = perSecond / 1000;
    // Full at the start: the first B jobs start at once.
    this.tokens = burst;
  }

  private refill(now: number): void {
    if (this.last !== undefined && now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    }
    this.last = Math.max(now, this.last ?? now);
  }

  ready(_job: unknown, now: number): boolean {
    this.refill(now);
    return this.tokens >= 1 - EPS;
  }

  /** Resolves when the next token is due (one timer shared by every caller asking for it). */
  wake(now: number): Promise<void> | undefined {
    this.refill(now);
    if (this.tokens >= 1 - EPS) return undefined;
    // Timers never fire early, and Date.now() has whole milliseconds: round up.
    const until = Math.min(now + Math.ceil((1 - this.tokens) / this.perMs), now + MAX_WAIT_MS);
    // A timer still to come, no later than this one, serves every caller until then.
    const p = this.pending;
    if (p && !p.done && p.until <= until) return p.promise;
    const next = { until, done: false, promise: sleep(until - now) };
    void next.promise.then(() => (next.done = true));
    this.pending = next;
    return next.promise;
  }

  started(_job: unknown, now: number): void {
    this.take(now);
  }

  /**
   * Takes a token without asking (a retry, which the retry policy times): the bucket may go
   * below zero, so the next new job waits that much longer and the rate still holds.
   */
  take(now: number): void {
    this.refill(now);
    this.tokens -= 1;
  }
}
