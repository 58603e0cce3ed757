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
 * A job that waits for its token may start late (timers, a busy event loop); it is booked
 * as started when its token came due, up to this much of a token late, so such delays do
 * not slow a steady stream below the rate.
 */
const CATCH_UP = 0.5;

/**
 * `--rate N/s --burst B`: a token bucket. It holds up to B tokens and gains one every 1/N
 * seconds; each job start takes one, so a steady stream starts N a second and, after a pause,
 * B jobs may start at once. In any span of time at most B + N × span jobs start, plus at most
 * half a token of catch-up for a start the machine delayed. Every job needs the same token,
 * so jobs start in input order.
 */
export class RateGate implements Gate {
  private tokens: number;
  private last?: number;
  private readonly perMs: number;
  private pending?: { until: number; done: boolean; promise: Promise<void> };
  /** A job has been refused a token and waits: tokens past the bucket's size are kept (CATCH_UP). */
  private waiting = false;

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
      const cap = this.waiting ? this.burst + CATCH_UP : this.burst;
      this.tokens = Math.min(Math.max(cap, this.tokens), this.tokens + (now - this.last) * this.perMs);
    }
    this.last = Math.max(now, this.last ?? now);
  }

  ready(_job: unknown, now: number): boolean {
    this.refill(now);
    const ok = this.tokens >= 1 - EPS;
    if (!ok) this.waiting = true;
    return ok;
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
    this.waiting = false;
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
