import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import {
  CUT,
  FAIL_TOLERANCE,
  GAIN_SHARE,
  KEEP_SHARE,
  LOAD_COOLDOWN_MS,
  LOW_MEMORY,
  MAX_HOLD,
  MIN_SAMPLES,
  RAMP_SAMPLES,
  TOLERANCE,
  emptyWindow,
  failuresRose,
  measure,
  type AdaptReason,
  type AdaptiveOptions,
  type LimitChange,
  type Stats,
  type Window,
} from './adaptive-window.js';
import type { JobEnd } from './scheduler.js';
import type { Slots } from './slots.js';

export type { AdaptReason, AdaptiveOptions, LimitChange } from './adaptive-window.js';

/** The operating point the controller holds: a limit and the goodput measured there. */
interface Point {
  limit: number;
  /** Successful jobs per millisecond; undefined until a window at this limit ends. */
  rate?: number;
  latencyMs?: number;
}

/**
 * `-j auto`: adaptive concurrency by hill climbing on measured goodput (successful jobs per
 * second, by Little's law: jobs running ÷ their mean duration). Slow start doubles the limit
 * while each doubling raises goodput by a quarter or more. Then it holds the best limit found,
 * now and then trying a step up (a tenth of the limit; steps that pay double the next one)
 * and keeping it only if goodput rose with it, and trying a step down when latency or failures
 * climb above their floors at an unchanged limit, kept if it costs (almost) no goodput. Rising
 * failures, load on a machine the jobs slow down with, and low free memory cut the limit by a
 * quarter. Each decision measures a window of jobs that started once the slots ran at the
 * current limit, one round of the slots in slow start and two after, and never a slot's first
 * job (which also starts its shell or thread).
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
  /** The lowest window failure rate seen: failures that do not come from overload. */
  private failFloor = Infinity;
  /** The accepted operating point; while `trial` is set, the limit is a step away from it. */
  private good: Point;
  private trial?: 'up' | 'down';
  /** Windows to wait before the next probe up, and how long the wait after a failed probe is. */
  private hold = 0;
  private holdNext = 2;
  /** Steps accepted in a row, up or down: each doubles the next step that way. */
  private upStreak = 1;
  private downStreak = 1;
  /**
   * After a change, until the slots run at the new limit: after a step down, jobs of the higher
   * limit are still ending; after a step up, new slots are still starting their shell or thread.
   */
  private settling = false;
  /** Steps down undone in a row. */
  private restores = 0;
  private ended = 0;
  private failures = 0;
  private lastLoadCut = -Infinity;
  /** Slots that have run a job. */
  private readonly warm = new Set<number>();

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
  onJobEnd(slots: Slots, outcome: JobEnd): void {
    const { result, durationMs, slot } = outcome;
    const failed = result.exitCode !== 0 || result.signal !== 0;
    this.ended++;
    if (failed) this.failures++;
    const w = this.window;
    // A slot's first job also starts its shell or thread: not a measure of the service.
    const first = !this.warm.has(slot);
    this.warm.add(slot);
    if (this.settling && this.settled(slots)) {
      // Measuring the new limit starts now: the jobs that start from here on run under it.
      this.settling = false;
      this.changedAt = this.now();
    }
    if (result.start < this.changedAt || this.settling || first) {
      // A job that started under another limit says nothing about this one, but its end is a
      // moment to notice that none of the raised limit's jobs has ended yet in the latency at
      // which the raise would just pay: the fastest of them is too slow, so their mean is too.
      const base = this.good.latencyMs;
      const waited = this.now() - this.changedAt;
      const pays = base && (base * this.limit) / this.good.limit / this.wanted();
      if (this.trial === 'up' && !this.settling && w.n === 0 && pays && waited > pays) {
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
    // Slow start judges a doubling (a gain of a quarter or more wanted, of double expected) on one
    // round of the slots; steady state judges steps of a tenth on two rounds.
    const span = ramp ? Math.max(RAMP_SAMPLES, this.limit) : Math.max(MIN_SAMPLES, this.limit) * 2;
    if (w.n < span && !(w.n >= RAMP_SAMPLES && this.losing(w))) return;
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
    if (failuresRose(w, this.ended - w.n, this.failures - w.failed)) return this.cut('failures', stats);
    if (latencyMs === undefined) return false;
    const slowed = latencyMs > this.floorMs * (1 + TOLERANCE);
    // A loaded machine counts only when the jobs slow down with it: on a shared machine the
    // load of others' work comes and goes, and cutting jobs that do not use the CPU frees none.
    if (slowed && now - this.lastLoadCut >= LOAD_COOLDOWN_MS && this.load() > this.loadCeiling) {
      this.lastLoadCut = now;
      return this.cut('load', stats);
    }
    // Small windows are too noisy to set the floors: their lowest mean is luck, not the service.
    const failRate = w.failed / w.n;
    if (w.ok >= 2 * MIN_SAMPLES) this.floorMs = Math.min(this.floorMs, latencyMs);
    if (w.n >= 2 * MIN_SAMPLES) this.failFloor = Math.min(this.failFloor, failRate);
    // Growth needs evidence: successes, every slot in use, and free memory.
    const mayGrow = w.full * 2 >= w.n && free >= 2 * LOW_MEMORY;

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
        this.failFloor = failRate;
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
      // Slower jobs, or more of them failing, than at the best of times: perhaps overload.
      const failing = w.failed >= 2 && failRate > this.failFloor + FAIL_TOLERANCE;
      if ((slowed || failing) && this.limit > 1) {
        // Compare the step down with this window, not with an average from before the slowdown.
        this.good = { limit: this.limit, rate, latencyMs };
        this.trial = 'down';
        return this.set(this.limit - this.step(this.downStreak, 2), slowed ? 'latency' : 'failures', stats);
      }
      this.downStreak = 1;
      if (this.hold > 0) {
        this.hold--;
        return false;
      }
    }
    return mayGrow && this.stepUp(stats);
  }

  /**
   * True once the slots run at the limit: no job of a higher limit left, and every slot up to
   * it has finished a first job (a new thread's first jobs also warm it up: module, connections).
   */
  private settled(slots: Slots): boolean {
    // onJobEnd comes before this job's slot is released: it still counts as running.
    if (slots.running - 1 > slots.size) return false;
    for (let s = 1; s <= this.limit; s++) if (!this.warm.has(s)) return false;
    return true;
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
    const base = this.good;
    const half = Math.floor((this.limit - base.limit) / 2);
    const steady = this.phase === 'steady';
    this.phase = 'steady';
    this.upStreak = 1;
    if (half >= 1 && stats.rate !== undefined && base.rate !== undefined && stats.rate > base.rate) {
      // Some gain, not enough: the best limit is likely between the two. Try halfway.
      return this.set(base.limit + half, 'probe', stats);
    }
    if (steady) this.holdNext = Math.min(MAX_HOLD, this.holdNext * 2);
    this.trial = undefined;
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
    this.settling = true;
    this.limit = next;
    this.changedAt = this.now();
    this.window = emptyWindow();
    this.options.onChange?.(change);
    return true;
  }
}
