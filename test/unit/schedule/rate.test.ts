import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import { parseRate, RateGate } from '../../../src/schedule/rate.js';
import { schedule, type PlannedJob } from '../../../src/schedule/scheduler.js';

const job: PlannedJob = { seq: 1, args: [], stdin: { kind: 'none' } };

describe('parseRate', () => {
  it('reads N/s, N/m, N/h and a bare N (per second)', () => {
    expect(parseRate('20/s')).toBe(20);
    expect(parseRate('120/m')).toBe(2);
    expect(parseRate('1800/h')).toBe(0.5);
    expect(parseRate('2.5')).toBe(2.5);
    expect(parseRate(3)).toBe(3);
  });

  it('refuses anything else, and 0', () => {
    for (const bad of ['0/s', 'fast', '10/d', '-1/s', '/s', ''])
      expect(() => parseRate(bad), bad).toThrow(/--rate: .* is not a rate above 0/);
  });
});

describe('RateGate (a token bucket)', () => {
  it('lets a burst through at once, then one start per interval', () => {
    const g = new RateGate(10, 3); // a token every 100 ms, up to 3
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(g.ready(job, t0)).toBe(true);
      g.started(job, t0);
    }
    expect(g.ready(job, t0)).toBe(false);
    expect(g.ready(job, t0 + 99)).toBe(false);
    expect(g.ready(job, t0 + 100)).toBe(true);
    g.started(job, t0 + 100);
    expect(g.ready(job, t0 + 150)).toBe(false);
  });

  it('never holds more than the burst, however long it was idle', () => {
    const g = new RateGate(10, 2);
    const t0 = 5_000;
    g.ready(job, t0);
    let started = 0;
    while (g.ready(job, t0 + 60_000)) {
      g.started(job, t0 + 60_000);
      started++;
    }
    expect(started).toBe(2);
  });

  it('charges retries: a token taken without asking delays the next start', () => {
    const g = new RateGate(10, 1);
    const t0 = 0;
    g.started(job, t0);
    g.take(t0 + 10); // a retry: the bucket goes below zero
    expect(g.ready(job, t0 + 100)).toBe(false);
    expect(g.ready(job, t0 + 200)).toBe(true);
  });

  it('wakes no earlier than the next token, and shares one timer', async () => {
    const g = new RateGate(20, 1); // 50 ms
    const t0 = Date.now();
    g.started(job, t0);
    expect(g.wake(t0)).toBe(g.wake(t0));
    await g.wake(t0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(49);
    expect(g.ready(job, Date.now())).toBe(true);
    expect(g.wake(Date.now())).toBeUndefined();
  });

  it('cuts a long wait into short ones (so an interrupt is seen)', async () => {
    const g = new RateGate(1 / 3600, 1);
    const t0 = Date.now();
    g.started(job, t0);
    await g.wake(t0);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(g.ready(job, Date.now())).toBe(false);
  });
});

class Instant implements Executor {
  async run(_req: ExecRequest): Promise<ExecResult> {
    const t = Date.now();
    return { exitCode: 0, signal: 0, start: t, end: t };
  }
}

describe('the scheduler with a rate gate', () => {
  it('spaces job starts by the rate (measured from job_started events)', async () => {
    const bus = new EventBus();
    const starts: number[] = [];
    bus.on((e) => {
      if (e.type === 'job_started') starts.push(e.t);
    });
    async function* jobs() {
      for (let seq = 1; seq <= 6; seq++) yield { seq, args: [], stdin: { kind: 'none' as const } };
    }
    const out = new PassThrough();
    const counts = await schedule(
      jobs(),
      new Instant(),
      new OutputCollector({ mode: 'group', keepOrder: false, tag: false }, out, out),
      bus,
      { command: () => 'x', tag: () => '' },
      {
        slots: 4,
        attempts: 1,
        delayMs: 0,
        halt: { when: 'never', why: 'fail' },
        gates: [new RateGate(25, 2)],
      },
    );
    expect(counts.succeeded).toBe(6);
    // The bucket's promise: in any span, at most burst + span × rate starts (2 ms for clocks).
    for (let i = 0; i < starts.length; i++) {
      for (let j = i + 1; j < starts.length; j++) {
        expect(j - i + 1, `starts ${i + 1}..${j + 1}`).toBeLessThanOrEqual(
          2 + (starts[j] - starts[i] + 2) / 40,
        );
      }
    }
    expect(starts[5] - starts[0]).toBeGreaterThanOrEqual(4 * 40 - 2);
  });
});
