import { describe, expect, it } from 'vitest';
import type { WeftEvent } from '../../../src/events/types.js';
import { buildReport, reportJson } from '../../../src/report/build.js';
import { ReportCollector } from '../../../src/report/collect.js';
import {
  efficiency,
  histogram,
  niceStep,
  quantile,
  slotUse,
  speedup,
  throughput,
  type Attempt,
} from '../../../src/report/stats.js';

/** An attempt from start to end (ms since the run started) on a slot. */
function attempt(seq: number, slot: number, startMs: number, endMs: number, exitCode = 0): Attempt {
  return {
    seq,
    attempt: 1,
    slot,
    startMs,
    endMs,
    durationMs: endMs - startMs,
    exitCode,
    signal: 0,
    final: true,
  };
}

describe('speedup, efficiency, utilization', () => {
  // Wall 10 s, 2 slots. Slot 1: 0–4 s and 4–8 s; slot 2: 0–6 s. Busy 14 s.
  const attempts = [attempt(1, 1, 0, 4000), attempt(2, 2, 0, 6000), attempt(3, 1, 4000, 8000)];

  it('speedup is the sum of durations over wall time', () => {
    expect(speedup(attempts, 10_000)).toBeCloseTo(1.4, 10);
  });

  it('efficiency is speedup over slots', () => {
    expect(efficiency(attempts, 10_000, 2)).toBeCloseTo(0.7, 10);
    expect(efficiency(attempts, 10_000, 4)).toBeCloseTo(0.35, 10);
  });

  it('utilization is busy time over wall time, per slot, unused slots included', () => {
    expect(slotUse(attempts, 10_000, 3)).toEqual([
      { slot: 1, attempts: 2, busyMs: 8000, utilization: 0.8 },
      { slot: 2, attempts: 1, busyMs: 6000, utilization: 0.6 },
      { slot: 3, attempts: 0, busyMs: 0, utilization: 0 },
    ]);
  });

  it('mean utilization equals efficiency', () => {
    const use = slotUse(attempts, 10_000, 2);
    const mean = use.reduce((s, u) => s + u.utilization, 0) / use.length;
    expect(mean).toBeCloseTo(efficiency(attempts, 10_000, 2), 10);
  });

  it('perfect packing: 4 slots busy the whole time give speedup 4, efficiency 1', () => {
    const full = [1, 2, 3, 4].flatMap((slot) => [
      attempt(slot, slot, 0, 500),
      attempt(slot + 4, slot, 500, 1000),
    ]);
    expect(speedup(full, 1000)).toBe(4);
    expect(efficiency(full, 1000, 4)).toBe(1);
    expect(slotUse(full, 1000, 4).map((u) => u.utilization)).toEqual([1, 1, 1, 1]);
  });

  it('zero wall time gives zeros, not NaN or Infinity', () => {
    expect(speedup([], 0)).toBe(0);
    expect(efficiency([], 0, 0)).toBe(0);
    expect(slotUse([], 0, 1)).toEqual([{ slot: 1, attempts: 0, busyMs: 0, utilization: 0 }]);
  });
});

describe('histogram', () => {
  it('uses round bin widths and counts every value once', () => {
    const d = [10, 12, 25, 31, 47, 48, 49, 50, 99];
    const h = histogram(d);
    expect([1, 2, 5, 10, 20, 50, 100]).toContain(h.binMs);
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(d.length);
    expect(h.bins[0].fromMs).toBeLessThanOrEqual(10);
    expect(h.bins.at(-1)!.toMs).toBeGreaterThan(99);
    for (const b of h.bins) expect(b.toMs - b.fromMs).toBe(h.binMs);
  });

  it('known bins: 0..100 ms in 5 bins of 20', () => {
    const h = histogram([0, 5, 19, 20, 39, 40, 60, 99, 100]);
    expect(h.binMs).toBe(20);
    expect(h.bins.map((b) => [b.fromMs, b.count])).toEqual([
      [0, 3],
      [20, 2],
      [40, 1],
      [60, 1],
      [80, 1],
      [100, 1],
    ]);
  });

  it('equal values make one bin; no values make none', () => {
    expect(histogram([7, 7, 7]).bins).toEqual([{ fromMs: 7, toMs: 8, count: 3 }]);
    expect(histogram([]).bins).toEqual([]);
  });
});

describe('throughput', () => {
  it('counts jobs finished per 1-second bucket', () => {
    const t = throughput([100, 900, 1000, 1500, 2999, 3000], 3000);
    expect(t.bucketMs).toBe(1000);
    expect(t.buckets.map((b) => b.count)).toEqual([2, 2, 2]);
    expect(t.buckets.map((b) => b.perSecond)).toEqual([2, 2, 2]);
  });

  it('long runs get wider buckets (at most 300)', () => {
    const t = throughput([0, 3_599_999], 3_600_000);
    expect(t.buckets.length).toBeLessThanOrEqual(300);
    expect(t.bucketMs).toBe(20_000);
    expect(t.buckets[0].perSecond).toBeCloseTo(1 / 20, 10);
  });

  it('a run shorter than a second has one bucket', () => {
    expect(throughput([5, 6], 10).buckets).toEqual([{ fromMs: 0, count: 2, perSecond: 2 }]);
  });
});

describe('helpers', () => {
  it('niceStep rounds up to 1, 2 or 5 × 10^k', () => {
    expect([0.5, 1, 1.1, 3, 7, 11, 180, 4500].map((x) => niceStep(x))).toEqual([
      1, 1, 2, 5, 10, 20, 200, 5000,
    ]);
  });

  it('quantile interpolates', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.9)).toBe(10);
    expect(quantile([], 0.5)).toBe(0);
  });
});

/** Feeds synthetic events (run started at epoch T0) into a collector. */
const T0 = 1_700_000_000_000;
function collect(events: Omit<WeftEvent, 'runId'>[]): ReportCollector {
  const c = new ReportCollector();
  for (const e of events) c.listener({ runId: 'r1', ...e } as WeftEvent);
  return c;
}
function finished(
  seq: number,
  slot: number,
  start: number,
  end: number,
  more: { exitCode?: number; signal?: number; attempt?: number; final?: boolean; killed?: string } = {},
): Omit<WeftEvent, 'runId'> {
  return {
    type: 'job_finished',
    t: end,
    seq,
    slot,
    attempt: more.attempt ?? 1,
    final: more.final ?? true,
    command: `work ${seq}`,
    args: [`in-${seq}`],
    exitCode: more.exitCode ?? 0,
    signal: more.signal ?? 0,
    ...(more.killed ? { killed: more.killed } : {}),
    start: T0 + start,
    durationMs: end - start,
    stdoutBytes: 0,
    stderrBytes: 0,
  } as Omit<WeftEvent, 'runId'>;
}

describe('collector + report from synthetic events', () => {
  // 2 slots, wall 4 s. Slot 1: job 1 (0–1 s ok), job 3 (1–2 s exit 1, retried), job 3 again
  // (2–4 s ok). Slot 2: job 2 (0–3 s exit 2, failed). Busy 7 s → speedup 1.75, efficiency 0.875.
  const events = [
    { type: 'run_started', t: 0, jobs: 2, startedAt: T0 },
    finished(1, 1, 0, 1000),
    finished(3, 1, 1000, 2000, { exitCode: 1, final: false }),
    { type: 'job_retry', t: 2000, seq: 3, attempt: 1, exitCode: 1, signal: 0 },
    finished(2, 2, 0, 3000, { exitCode: 2 }),
    { type: 'job_failed', t: 3000, seq: 2, exitCode: 2, signal: 0, command: 'work 2' },
    finished(3, 1, 2000, 4000, { attempt: 2 }),
    {
      type: 'run_finished',
      t: 4000,
      summary: {
        jobs: 3,
        succeeded: 2,
        failed: 1,
        skipped: 0,
        retried: 1,
        halted: false,
        exitCode: 1,
        wallMs: 4000,
        speedup: 1.75,
      },
    },
  ] as Omit<WeftEvent, 'runId'>[];

  const r = buildReport(collect(events), { title: 'work {}', now: T0 + 5000 });

  it('has the known statistics', () => {
    expect(r.complete).toBe(true);
    expect(r.stats).toMatchObject({ slots: 2, wallMs: 4000, jobs: 3, attempts: 4, busyMs: 7000 });
    expect(r.stats.speedup).toBe(1.75);
    expect(r.stats.efficiency).toBe(0.875);
    expect(r.slots.map((s) => s.utilization)).toEqual([1, 0.75]);
    expect(r.stats.duration).toMatchObject({ min: 1000, max: 3000, median: 2000 });
    expect(r.summary.exitCode).toBe(1);
  });

  it('has a timeline in run time, one row per attempt', () => {
    expect(r.timeline.map((a) => [a.seq, a.attempt, a.slot, a.startMs, a.endMs, a.final])).toEqual([
      [1, 1, 1, 0, 1000, true],
      [2, 1, 2, 0, 3000, true],
      [3, 1, 1, 1000, 2000, false],
      [3, 2, 1, 2000, 4000, true],
    ]);
  });

  it('lists the failure with its args and command, not the retried attempt', () => {
    expect(r.failures).toEqual([
      {
        seq: 2,
        attempts: 1,
        slot: 2,
        exitCode: 2,
        signal: 0,
        startMs: 0,
        durationMs: 3000,
        args: ['in-2'],
        command: 'work 2',
      },
    ]);
    expect(r.stopped).toEqual([]);
  });

  it('histogram and throughput count the 3 jobs', () => {
    expect(r.histogram.bins.reduce((s, b) => s + b.count, 0)).toBe(3);
    expect(r.throughput.buckets.map((b) => b.count)).toEqual([0, 1, 0, 2]);
  });

  it('as JSON: parses back to the same report, one timeline row per line', () => {
    const text = reportJson(r);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(r)));
    const rows = text.split('\n').filter((l) => l.startsWith('    {"seq":'));
    expect(rows.length).toBe(r.timeline.length + r.failures.length);
  });

  it('an unfinished run (no run_finished) reports what is known', () => {
    const partial = buildReport(
      collect([
        events[0],
        finished(1, 1, 0, 1000),
        { type: 'job_started', t: 500, seq: 2, slot: 2, attempt: 1, command: 'work 2' },
        finished(3, 1, 1000, 1500, { exitCode: 9, killed: 'halt' }),
      ] as Omit<WeftEvent, 'runId'>[]),
      { now: T0 + 2000 },
    );
    expect(partial.complete).toBe(false);
    expect(partial.summary).toMatchObject({ jobs: 1, succeeded: 1, failed: 0, exitCode: null, wallMs: 2000 });
    expect(partial.stats.wallMs).toBe(2000);
    // Job 1 done, job 3 stopped by --halt, job 2 still running at the end.
    expect(partial.stats.jobs).toBe(1);
    expect(partial.stopped.map((s) => s.seq)).toEqual([3]);
    expect(partial.timeline.find((a) => a.seq === 2)).toMatchObject({
      unfinished: true,
      startMs: 500,
      endMs: 2000,
    });
    expect(partial.stats.busyMs).toBe(1000 + 500 + 1500);
  });
});
