import { freemem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gate } from './gate.js';

/**
 * Memory a new job could use: the kernel's MemAvailable, within the cgroup's limit where there
 * is one (`process.availableMemory`, Node ≥ 20.13), else `os.freemem()` (also MemAvailable).
 */
export function availableMemory(): number {
  const p = process as { availableMemory?: () => number };
  return typeof p.availableMemory === 'function' ? p.availableMemory() : freemem();
}

/** Options of the free-memory gate; `free` is injectable so tests can set the memory. */
export interface MemfreeOptions {
  free?: () => number;
  /** How often a closed gate looks again, in ms. */
  pollMs?: number;
  /** Free memory fell below the limit: new jobs wait. */
  onHold?(freeBytes: number): void;
  /** Free memory is back above the limit after `heldMs`. */
  onRelease?(freeBytes: number, heldMs: number): void;
}

/**
 * `--memfree SIZE`: no job starts while free memory is below SIZE; running jobs go on (GNU
 * parallel would also kill the youngest job below SIZE/2; weft does not, see
 * docs/scheduling.md). The reading is kept for a few milliseconds, since the scheduler asks
 * once per waiting job.
 */
export class MemfreeGate implements Gate {
  private readonly free: () => number;
  private readonly pollMs: number;
  private sampledAt = -Infinity;
  private value = 0;
  private heldSince?: number;

  constructor(
    readonly limit: number,
    private readonly opts: MemfreeOptions = {},
  ) {
    this.free = opts.free ?? availableMemory;
    this.pollMs = opts.pollMs ?? 250;
  }

  private sample(now: number): number {
    if (now - this.sampledAt >= 50 || now < this.sampledAt) {
      this.value = this.free();
      this.sampledAt = now;
    }
    return this.value;
  }

  ready(_job: unknown, now: number): boolean {
    const free = this.sample(now);
    const ok = free >= this.limit;
    if (!ok && this.heldSince === undefined) {
      this.heldSince = now;
      this.opts.onHold?.(free);
    } else if (ok && this.heldSince !== undefined) {
      const held = now - this.heldSince;
      this.heldSince = undefined;
      this.opts.onRelease?.(free, held);
    }
    return ok;
  }

  /** While holding: look again after the poll interval (memory frees without any event). */
  wake(): Promise<void> | undefined {
    return this.heldSince === undefined ? undefined : sleep(this.pollMs);
  }
}
