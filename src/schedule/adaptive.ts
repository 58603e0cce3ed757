import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import type { ExecResult } from '../exec/types.js';
import type { Slots } from './slots.js';

/** Why `-j auto` changed the number of slots (the `concurrency_changed` event's `reason`). */
export type AdaptReason =
  /** Slow start: latency stayed at its floor, so the limit doubled. */
  | 'ramp'
  /** Steady state: one step up, to see whether throughput rises with it. */
  | 'probe'
  /** The step up raised latency without raising throughput: back down. */
  | 'no-gain'
  /** Latency rose at an unchanged limit (the service or machine got slower): one step down. */
  | 'latency'
  /** The step down lost throughput (the jobs got slower, not the service): back up. */
  | 'restore'
  | 'failures'
  | 'load'
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

/**
 * Completions per measurement window: in slow start at least this many and `limit`; in steady
 * state twice that, for steadier figures.
 */
const MIN_SAMPLES = 4;
/** In steady state, latency this far above its floor tries a step down. */
const TOLERANCE = 0.25;
/** A step up must win at least this share of the throughput proportional to it. */
const GAIN_SHARE = 0.25;
/** A step down may lose at most this share of it (a stricter test: noise must not walk down). */
const KEEP_SHARE = 0.25;
/** Multiplicative back-off for failures, load and memory. */
const CUT = 0.75;
/** Most windows to wait between two probes up after probes kept failing. */
const MAX_HOLD = 16;
/** Jobs ended before the failure rate counts as a baseline for the failure rule. */
const FAILURE_BASELINE = 20;
/** Free memory below this fraction cuts the limit; below twice it the limit does not grow. */
const LOW_MEMORY = 0.1;
/** Time between two cuts for load (the 1-minute load average reacts slowly). */
const LOAD_COOLDOWN_MS = 10_000;

interface Window {
  n: number;
  ok: number;
  failed: number;
  okMs: number;
  /** Sum over completions of the jobs running at that moment (Little's law's concurrency). */
  running: number;
  /** Completions that found every slot busy. */
  full: number;
}

const emptyWindow = (): Window => ({ n: 0, ok: 0, failed: 0, okMs: 0, running: 0, full: 0 });

/** A window's mean latency of successful jobs and its goodput in jobs per millisecond. */
interface Stats {
  latencyMs?: number;
  rate: number;
}

/** Little's law: jobs in flight ÷ time per job = jobs per ms; only successes count. */
function measure(w: Window): Stats {
  if (w.ok === 0) return { rate: 0 };
  const latencyMs = w.okMs / w.ok;
  return { latencyMs, rate: ((w.running / w.n) * (w.ok / w.n)) / latencyMs };
}

/** The operating point the controller holds: a limit and the goodput measured there. */
interface Point {
  limit: number;
  /** Successful jobs per millisecond; undefined until a window at this limit ends. */
  rate?: number;
  latencyMs?: number;
}

/**
 * `-j auto`: adaptive concurrency by hill climbing on measured goodput. It starts low and doubles
 * while latency stays at its floor (slow start); then it holds the best limit, now and then
 * stepping up and keeping the step only if throughput (successful jobs per second, by Little's
 * law: running jobs ÷ latency) rose with it, and stepping down when latency climbs at an
 * unchanged limit. Rising failures, a load average above the cores and low free memory cut
 * the limit by a quarter. Each decision uses a window of jobs that started under the current
 * limit, at least `limit` of them, so one decision sees one full round of the slots.
 */
export class AdaptiveLimit {
  private limit: number;
  private readonly max: number;
  private readonly cores: number;
  private readonly now: () => number;
  private readonly load: () => number;
  private readonly freeMemory: () => number;
  private readonly loadCeiling: number;
  private phase: 'ramp' | 'steady' = 'ramp';
  /** When the limit last changed: jobs started earlier do not count for the window. */
  private changedAt: number;
  private window = emptyWindow();
  /** The lowest window latency seen: the latency of an unloaded service or machine. */
  private floorMs = Infinity;
  /** The accepted operating point; while `trial` is set, the limit is a step away from it. */
  private good: Point;
  private trial?: 'up' | 'down';
  /** Windows to wait before the next probe up, and how long the wait after a failed probe is. */
  private hold = 0;
  private holdNext = 2;
  /** Steps accepted in a row, up or down: each doubles the next step that way. */
  private upStreak = 1;
  private downStreak = 1;
  /** After a cut or a step down, jobs of the higher limit are still ending. */
  private draining = false;
  /** Steps down undone in a row. */
  private restores = 0;
  private ended = 0;
  private failures = 0;
  private lastLoadCut = -Infinity;

  constructor(private readonly options: AdaptiveOptions = {}) {
    this.max = Math.max(1, Math.floor(options.max ?? 256));
    this.limit = Math.min(this.max, Math.max(1, Math.floor(options.initial ?? 2)));
    this.cores = options.cores ?? availableParallelism();
    this.now = options.now ?? Date.now;
    this.load = options.load ?? (() => loadavg()[0]);
    this.freeMemory = options.freeMemory ?? (() => freemem() / totalmem());
    // The load weft's own jobs may add: one per core on top of what the machine had before.
    this.loadCeiling = this.cores + this.load();
    this.changedAt = this.now();
    this.good = { limit: this.limit };
  }

  /** How many jobs may run at once now. */
  get current(): number {
    return this.limit;
  }

  /** The scheduler's `onJobEnd`: records the job and, when a window is complete, decides. */
  onJobEnd(slots: Slots, outcome: { result: ExecResult; durationMs: number }): void {
    const { result, durationMs } = outcome;
    const failed = result.exitCode !== 0 || result.signal !== 0;
    this.ended++;
    if (failed) this.failures++;
    const w = this.window;
    if (this.draining && slots.running - 1 <= slots.size) {
      // The higher limit's jobs are gone once this one ends: measuring the lower one starts now.
      this.draining = false;
      this.changedAt = this.now();
    }
    if (result.start < this.changedAt || this.draining) {
      // A job that started under another limit says nothing about this one, but its end is a
      // moment to notice that none of the raised limit's jobs has ended in twice the latency
      // the raise started from: even the fastest of them is too slow for the raise to pay.
      const base = this.good.latencyMs;
      if (this.trial === 'up' && w.n === 0 && base && this.now() - this.changedAt > 2 * base) {
        if (this.noGain({})) slots.resize(this.limit);
      }
      return;
    }
    w.n++;
    // Jobs of a larger limit still draining are not this limit's concurrency.
    w.running += Math.min(slots.running, slots.size);
    if (slots.running >= slots.size) w.full++;
    if (failed) w.failed++;
    else {
      w.ok++;
      w.okMs += durationMs;
    }
    const ramp = this.phase === 'ramp';
    const span = ramp ? Math.max(MIN_SAMPLES, this.limit) : Math.max(2 * MIN_SAMPLES, 2 * this.limit);
    if (w.n < span && !(w.n >= MIN_SAMPLES && this.losing(w))) return;
    this.window = emptyWindow();
    if (this.decide(w)) slots.resize(this.limit);
  }

  /** One decision per window; true when the limit changed. */
  private decide(w: Window): boolean {
    const stats = measure(w);
    const { latencyMs, rate } = stats;
    const now = this.now();

    const free = this.freeMemory();
    if (free < LOW_MEMORY) return this.cut('memory', stats);
    const load = this.load();
    if (load > this.loadCeiling && now - this.lastLoadCut >= LOAD_COOLDOWN_MS) {
      this.lastLoadCut = now;
      return this.cut('load', stats);
    }
    if (this.failuresRose(w)) return this.cut('failures', stats);
    if (latencyMs === undefined) return false;
    // Small windows are too noisy to set the floor: their lowest mean is luck, not the service.
    if (w.ok >= 2 * MIN_SAMPLES) this.floorMs = Math.min(this.floorMs, latencyMs);
    // Growth needs evidence: successes, every slot in use, and room on the machine.
    const mayGrow = w.full * 2 >= w.n && free >= 2 * LOW_MEMORY && load <= this.loadCeiling;

    if (this.trial === 'up') {
      const base = this.good;
      if (base.rate === undefined || rate <= 0 || rate < base.rate * this.wanted()) return this.noGain(stats);
      this.trial = undefined;
      this.good = { limit: this.limit, rate, latencyMs };
      if (this.phase === 'steady') {
        this.upStreak *= 2;
        this.holdNext = 2;
      }
      return mayGrow && this.stepUp(stats);
    }
    if (this.trial === 'down') {
      this.trial = undefined;
      const base = this.good;
      const kept = 1 - KEEP_SHARE * (1 - this.limit / base.limit);
      if (base.rate === undefined || rate >= base.rate * kept) {
        this.good = { limit: this.limit, rate, latencyMs };
        this.downStreak *= 2;
        this.restores = 0;
        return false;
      }
      this.downStreak = 1;
      // Fewer slots, proportionally fewer jobs done: the jobs got slower, the service did not
      // get overloaded. The second time in a row (one window may straddle a change), their
      // latency now is the new floor.
      if (++this.restores >= 2) {
        this.floorMs = latencyMs;
        this.restores = 0;
      }
      this.hold = this.holdNext;
      return this.set(base.limit, 'restore', stats);
    }

    // At the accepted limit: follow its throughput, step down when latency climbs, probe up.
    const g = this.good;
    this.good =
      g.limit === this.limit && g.rate !== undefined
        ? { limit: g.limit, rate: (g.rate + rate) / 2, latencyMs }
        : { limit: this.limit, rate, latencyMs };
    if (this.phase === 'steady') {
      if (latencyMs > this.floorMs * (1 + TOLERANCE) && this.limit > 1) {
        // Compare the step down with this window, not with an average from before the slowdown.
        this.good = { limit: this.limit, rate, latencyMs };
        this.trial = 'down';
        return this.set(this.limit - this.step(this.downStreak, 2), 'latency', stats);
      }
      this.downStreak = 1;
      if (this.hold > 0) {
        this.hold--;
        return false;
      }
    }
    return mayGrow && this.stepUp(stats);
  }

  /** The share of throughput a raise must add to be kept. */
  private wanted(): number {
    return 1 + GAIN_SHARE * (this.limit / this.good.limit - 1);
  }

  /** A tenth of the limit (at least 1), times `streak`, at most the limit ÷ `most`. */
  private step(streak: number, most = 1): number {
    return Math.max(
      1,
      Math.min(Math.floor(this.limit / most), Math.max(1, Math.round(this.limit / 10)) * streak),
    );
  }

  /** Raises the limit on trial: doubling in slow start, a step in steady state. */
  private stepUp(stats: Stats): boolean {
    if (this.limit >= this.max) return false;
    this.trial = 'up';
    const ramp = this.phase === 'ramp';
    return this.set(
      this.limit + (ramp ? this.limit : this.step(this.upStreak)),
      ramp ? 'ramp' : 'probe',
      stats,
    );
  }

  /** The raise did not pay: back to the accepted limit, and wait longer before the next try. */
  private noGain(stats: Partial<Stats>): boolean {
    if (this.phase === 'steady') this.holdNext = Math.min(MAX_HOLD, this.holdNext * 2);
    this.phase = 'steady';
    this.trial = undefined;
    this.upStreak = 1;
    this.hold = this.holdNext;
    return this.set(this.good.limit, 'no-gain', stats);
  }

  /**
   * True when a window cut short already shows that a raise lost throughput: the jobs that end
   * first are the fastest, so if even they do worse than before the rest will too.
   */
  private losing(w: Window): boolean {
    if (this.trial !== 'up' || this.good.rate === undefined || w.ok === 0) return false;
    return measure(w).rate < this.good.rate;
  }

  /** True when this window failed markedly more often than the run did before it. */
  private failuresRose(w: Window): boolean {
    const before = this.ended - w.n;
    if (before < FAILURE_BASELINE || w.failed < 2) return false;
    const base = (this.failures - w.failed) / before;
    const margin = Math.max(0.1, 2.5 * Math.sqrt((base * (1 - base)) / w.n));
    return w.failed / w.n > base + margin;
  }

  /** Backs off by a quarter for failures, load or memory. */
  private cut(reason: AdaptReason, stats: Stats): boolean {
    this.phase = 'steady';
    this.trial = undefined;
    this.upStreak = 1;
    this.holdNext = Math.min(MAX_HOLD, this.holdNext * 2);
    this.hold = this.holdNext;
    const changed = this.set(this.limit * CUT, reason, stats);
    this.good = { limit: this.limit };
    return changed;
  }

  private set(limit: number, reason: AdaptReason, stats: Partial<Stats>): boolean {
    const next = Math.min(this.max, Math.max(1, Math.floor(limit)));
    if (next === this.limit) return false;
    const change: LimitChange = { limit: next, previous: this.limit, reason };
    if (stats.latencyMs !== undefined) change.latencyMs = Math.round(stats.latencyMs * 10) / 10;
    if (stats.rate !== undefined) change.jobsPerSec = Math.round(stats.rate * 1e4) / 10;
    this.draining = next < this.limit;
    this.limit = next;
    this.changedAt = this.now();
    this.window = emptyWindow();
    this.options.onChange?.(change);
    return true;
  }
}
