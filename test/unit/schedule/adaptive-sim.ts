import { AdaptiveLimit, type AdaptiveOptions, type LimitChange } from '../../../src/schedule/adaptive.js';
import { Slots } from '../../../src/schedule/slots.js';

/**
 * A service shared by the jobs in flight (processor sharing): each job brings `work` ms of
 * work, and with `n` jobs in flight each advances at `speed(n)` ms of work per ms. `fail`
 * decides whether a job fails, given the jobs in flight when it started.
 */
export interface Service {
  speed(n: number, now: number): number;
  work(now: number): number;
  fail?(n: number, now: number): boolean;
  /** Time a job spends before it reaches the service (a process starting), in its duration. */
  outside?(): number;
  /** Time a slot stays taken after its job ended (the runner's own work), outside the duration. */
  gap?: number;
}

/** `base` ms per job up to `capacity` at once; past it, each slows by (capacity/n)²: throughput falls. */
export const overloaded = (capacity: number, base = 100): Service => ({
  speed: (n) => Math.min(1, (capacity / n) ** 2),
  work: () => base,
});

/** `capacity` workers behind a queue: past capacity, throughput stays flat and latency grows. */
export const queueing = (capacity: number, base = 100): Service => ({
  speed: (n) => Math.min(1, capacity / n),
  work: () => base,
});

/** Deterministic noise in [1 - amp, 1 + amp] (an LCG, so runs repeat). */
function jitter(amp: number, seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 1 - amp + (2 * amp * x) / 2 ** 31;
  };
}

/** Work varies by ±amp. */
export function noisy(service: Service, amp: number, seed = 1): Service {
  const j = jitter(amp, seed);
  return { ...service, work: (now) => service.work(now) * j() };
}

/** Each job first runs `ms` ± half of it on its own (a process starting), and its slot stays taken `gap` ms after it. */
export function withProcess(service: Service, ms: number, gap = 0, seed = 2): Service {
  const j = jitter(0.5, seed);
  return { ...service, outside: () => ms * j(), gap };
}

export interface SimResult {
  /** Virtual milliseconds for all jobs. */
  ms: number;
  jobsPerSec: number;
  changes: LimitChange[];
  /** The limit after each job ended. */
  limits: number[];
  failed: number;
}

/**
 * Runs `jobs` jobs against `service` in virtual time, with a fixed number of slots or with
 * `-j auto` (an AdaptiveLimit driving the slots exactly as the scheduler does).
 */
export function simulate(
  service: Service,
  jobs: number,
  slotsOrAuto: number | 'auto',
  options: AdaptiveOptions = {},
): SimResult {
  let now = 0;
  const changes: LimitChange[] = [];
  const auto =
    slotsOrAuto === 'auto'
      ? new AdaptiveLimit({
          load: () => 0,
          freeMemory: () => 0.5,
          cores: 2,
          ...options,
          now: () => now,
          onChange: (c) => changes.push(c),
        })
      : undefined;
  const slots = new Slots(auto ? auto.current : (slotsOrAuto as number));
  // A job first spends `outside` ms on its own (starting a process), then shares the service;
  // after it ends, its slot stays taken for `gap` ms (the runner's own work between jobs).
  type Job = { phase: 'out' | 'in' | 'gap'; left: number; start: number; slot: number; fail: boolean };
  const running: Job[] = [];
  const limits: number[] = [];
  let started = 0;
  let failed = 0;
  const inService = () => running.filter((r) => r.phase === 'in').length;
  while (started < jobs || running.length) {
    while (started < jobs && slots.available) {
      const slot = slots.take();
      const outside = service.outside?.() ?? 0;
      running.push({ phase: 'out', left: outside, start: now, slot, fail: false });
      started++;
    }
    const speed = service.speed(Math.max(1, inService()), now);
    const due = (r: Job) => (r.phase === 'in' ? r.left / speed : r.left);
    let first = 0;
    for (let i = 1; i < running.length; i++) if (due(running[i]) < due(running[first])) first = i;
    const dt = due(running[first]);
    now += dt;
    for (const r of running) r.left -= r.phase === 'in' ? dt * speed : dt;
    const job = running[first];
    if (job.phase === 'out') {
      job.phase = 'in';
      job.fail = !!service.fail?.(inService(), now);
      job.left = service.work(now);
      continue;
    }
    if (job.phase === 'gap') {
      running.splice(first, 1);
      slots.release(job.slot);
      continue;
    }
    if (job.fail) failed++;
    const result = { exitCode: job.fail ? 1 : 0, signal: 0, start: job.start, end: now };
    // The scheduler calls onJobEnd while the job still holds its slot.
    auto?.onJobEnd(slots, { result, durationMs: now - job.start, slot: job.slot });
    limits.push(auto ? auto.current : slots.size);
    job.phase = 'gap';
    job.left = service.gap ?? 0;
  }
  return { ms: now, jobsPerSec: (jobs / now) * 1000, changes, limits, failed };
}

/** The best fixed-slots throughput over `candidates`. */
export function bestFixed(service: () => Service, jobs: number, candidates: number[]) {
  return candidates
    .map((j) => ({ j, ...simulate(service(), jobs, j) }))
    .reduce((a, b) => (b.jobsPerSec > a.jobsPerSec ? b : a));
}
