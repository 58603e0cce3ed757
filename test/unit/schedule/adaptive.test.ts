import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, type LimitChange } from '../../../src/schedule/adaptive.js';
import { Slots } from '../../../src/schedule/slots.js';
import { bestFixed, noisy, overloaded, queueing, simulate, type Service } from './adaptive-sim.js';

// These run the controller against simulated services in virtual time (adaptive-sim.ts): the
// figures are exact and repeatable, whatever the machine's load. test/slow/adaptive.test.ts
// checks the same against a real HTTP server.

const FIXED = [1, 2, 3, 4, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 256];

/** The limit most often held over the last half of the run. */
function settled(limits: number[]): number {
  const counts = new Map<number, number>();
  for (const l of limits.slice(limits.length >> 1)) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
}

describe('-j auto against simulated services', () => {
  it.each([
    { name: 'quadratically slower past capacity 8', service: () => overloaded(8), jobs: 1000, capacity: 8 },
    { name: 'the same with ±30% noise', service: () => noisy(overloaded(8), 0.3), jobs: 1000, capacity: 8 },
    { name: 'quadratically slower past capacity 3', service: () => overloaded(3), jobs: 400, capacity: 3 },
    {
      name: 'quadratically slower past capacity 40, noisy',
      service: () => noisy(overloaded(40), 0.3),
      jobs: 6000,
      capacity: 40,
    },
    { name: 'a queue in front of 8 workers', service: () => queueing(8), jobs: 1000, capacity: 8 },
    {
      name: 'two CPU cores (jobs of 500 ms)',
      service: () => noisy(queueing(2, 500), 0.3),
      jobs: 300,
      capacity: 2,
    },
  ] as { name: string; service: () => Service; jobs: number; capacity: number }[])(
    '$name: at least 90% of the best fixed -j, settling near capacity',
    ({ service, jobs, capacity }) => {
      const best = bestFixed(service, jobs, FIXED);
      const auto = simulate(service(), jobs, 'auto');
      expect(auto.jobsPerSec / best.jobsPerSec).toBeGreaterThanOrEqual(0.9);
      const limit = settled(auto.limits);
      expect(limit).toBeGreaterThanOrEqual(Math.floor(capacity * 0.75));
      expect(limit).toBeLessThanOrEqual(Math.ceil(capacity * 1.25));
    },
  );

  it('follows a capacity that drops mid-run, and says why', () => {
    const service: Service = {
      speed: (n, now) => Math.min(1, ((now < 4000 ? 16 : 4) / n) ** 2),
      work: () => 100,
    };
    const r = simulate(service, 2000, 'auto');
    const before = r.limits.slice(0, 500);
    expect(settled(before)).toBeGreaterThanOrEqual(12);
    expect(settled(r.limits)).toBeGreaterThanOrEqual(3);
    expect(settled(r.limits)).toBeLessThanOrEqual(5);
    expect(r.changes.some((c) => c.reason === 'latency')).toBe(true);
  });

  it('keeps its limit when the jobs themselves get slower (not an overload)', () => {
    // 64 workers; every job takes longer as the run goes on (100 ms → 500 ms).
    const service: Service = {
      speed: (n) => Math.min(1, 64 / n),
      work: (now) => 100 + Math.min(400, now / 20),
    };
    const r = simulate(noisy(service, 0.2), 8000, 'auto');
    expect(settled(r.limits)).toBeGreaterThanOrEqual(48);
    expect(Math.min(...r.limits.slice(r.limits.length >> 1))).toBeGreaterThanOrEqual(32);
  });

  it('keeps failures low when the service refuses requests past its capacity', () => {
    // Past 8 at once, the service refuses requests (fast failures, as a rate limit does):
    // a raise then adds no successes and is undone.
    const service: Service = { speed: () => 1, work: () => 100, fail: (n) => n > 8 };
    const r = simulate(service, 1000, 'auto');
    expect(settled(r.limits)).toBeLessThanOrEqual(10);
    expect(r.failed / 1000).toBeLessThan(0.15);
  });

  it('cuts the limit when failures rise at an unchanged limit', () => {
    // 16 workers; from 3 s on, the service refuses requests past 4 at once.
    const service: Service = { ...queueing(16), fail: (n, now) => now > 3000 && n > 4 };
    const r = simulate(service, 1500, 'auto');
    expect(r.changes.some((c) => c.reason === 'failures')).toBe(true);
    expect(settled(r.limits)).toBeLessThanOrEqual(6);
  });

  it('does not take failures that do not depend on concurrency as overload', () => {
    // Every other job fails whatever the load (grep finding nothing): the limit still grows.
    let i = 0;
    const service: Service = {
      speed: (n) => Math.min(1, 16 / n),
      work: () => 100,
      fail: () => i++ % 2 === 0,
    };
    const r = simulate(service, 2000, 'auto');
    expect(r.changes.some((c) => c.reason === 'failures')).toBe(false);
    expect(settled(r.limits)).toBeGreaterThanOrEqual(12);
  });

  it('never goes past max and starts at initial', () => {
    const r = simulate(queueing(1000), 3000, 'auto', { initial: 3, max: 20 });
    expect(r.limits[0]).toBe(3);
    expect(Math.max(...r.limits)).toBe(20);
    expect(r.changes[0]).toMatchObject({ previous: 3, limit: 6, reason: 'ramp' });
  });
});

/** Drives a controller by hand: `n` jobs of `ms` each end at once, every slot in use. */
function drive(options: ConstructorParameters<typeof AdaptiveLimit>[0] = {}) {
  let now = 0;
  const changes: LimitChange[] = [];
  const auto = new AdaptiveLimit({
    cores: 2,
    load: () => 0,
    freeMemory: () => 0.5,
    ...options,
    now: () => now,
    onChange: (c) => changes.push(c),
  });
  const slots = new Slots(auto.current);
  // Slots' first jobs do not count (they start shells or threads): these are before the start.
  for (let s = 1; s <= 64; s++)
    auto.onJobEnd(slots, { result: { exitCode: 0, signal: 0, start: -1, end: 0 }, durationMs: 1, slot: s });
  /** `limit` jobs end, each replaced at once (as the scheduler does), `running` in flight. */
  const round = (ms = 100, exitCode = 0, running = slots.size) => {
    const start = now;
    now += ms;
    const n = slots.size;
    const others = Array.from({ length: Math.min(running, n) - 1 }, () => slots.take());
    for (let i = 0; i < n && slots.available; i++) {
      const s = slots.take();
      auto.onJobEnd(slots, { result: { exitCode, signal: 0, start, end: now }, durationMs: ms, slot: s });
      slots.release(s);
    }
    others.forEach((s) => slots.release(s));
  };
  return { auto, slots, changes, round, tick: (ms: number) => (now += ms) };
}

describe('AdaptiveLimit pressure rules', () => {
  it('cuts by a quarter for load above the cores plus the load before the run, when jobs slow', () => {
    let load = 1;
    const d = drive({ load: () => load, initial: 16, max: 16, cores: 2 });
    d.round();
    d.round();
    // Load 3.5 is above 2 cores + 1 before the run, but the jobs are as fast as ever: no cut.
    load = 3.5;
    for (let i = 0; i < 4; i++) d.round();
    expect(d.changes).toEqual([]);
    // The jobs slow down too: a cut, then none for load in the next 10 s.
    d.round(200);
    expect(d.changes.at(-1)).toMatchObject({ reason: 'load', previous: 16, limit: 12 });
    for (let i = 0; i < 10; i++) d.round(200);
    expect(d.changes.filter((c) => c.reason === 'load')).toHaveLength(1);
    d.tick(10_000);
    d.round(300);
    d.round(300);
    expect(d.changes.filter((c) => c.reason === 'load')).toHaveLength(2);
  });

  it('cuts when free memory is below 10% and does not grow below 20%', () => {
    let free = 0.15;
    const d = drive({ freeMemory: () => free, initial: 8 });
    for (let i = 0; i < 10; i++) d.round();
    expect(d.auto.current).toBe(8);
    free = 0.05;
    d.round();
    d.round();
    expect(d.changes.at(-1)).toMatchObject({ reason: 'memory', previous: 8, limit: 6 });
  });

  it('does not grow while the slots are not all in use (a slow source, a closed gate)', () => {
    const d = drive({ initial: 8 });
    for (let i = 0; i < 10; i++) d.round(100, 0, 3);
    expect(d.changes).toEqual([]);
    d.round();
    expect(d.auto.current).toBe(16);
  });

  it('does not grow while every job fails', () => {
    const d = drive({ initial: 4 });
    for (let i = 0; i < 10; i++) d.round(100, 1);
    expect(Math.max(...d.changes.map((c) => c.limit), d.auto.current)).toBeLessThanOrEqual(4);
  });
});
