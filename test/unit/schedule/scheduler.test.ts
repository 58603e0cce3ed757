import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import type { Gate } from '../../../src/schedule/gate.js';
import { schedule, type PlannedJob } from '../../../src/schedule/scheduler.js';
import { Slots } from '../../../src/schedule/slots.js';
import type { HaltPolicy } from '../../../src/spec/types.js';

/** An executor whose jobs end when the test says so (or after `ms`). */
class FakeExecutor implements Executor {
  readonly started: number[] = [];
  running = 0;
  maxRunning = 0;
  constructor(private readonly ms = 5) {}
  async run(req: ExecRequest): Promise<ExecResult> {
    this.started.push(req.seq);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, this.ms));
    this.running--;
    req.onStdout(Buffer.from(`${req.command}\n`));
    return { exitCode: req.command.endsWith('fail') ? 1 : 0, signal: 0, start, end: Date.now() };
  }
}

async function* jobsOf(args: string[]): AsyncGenerator<PlannedJob> {
  let seq = 0;
  for (const a of args) yield { seq: ++seq, args: [a], stdin: { kind: 'none' } };
}

function setup(opts: { keepOrder?: boolean } = {}) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (b: Buffer) => chunks.push(b));
  const collector = new OutputCollector(
    { mode: 'group', keepOrder: opts.keepOrder ?? false, tag: false },
    out,
    new PassThrough(),
  );
  const hooks = { command: (j: PlannedJob) => j.args[0], tag: () => '' };
  return { collector, hooks, text: () => Buffer.concat(chunks).toString() };
}

const halt: HaltPolicy = { when: 'never', why: 'fail' };

describe('scheduler gates', () => {
  it('lets a later job past one whose gate is closed, and keeps -k order', async () => {
    const ex = new FakeExecutor(20);
    const s = setup({ keepOrder: true });
    // At most one "a" job at a time: a per-key cap of 1.
    let aRunning = 0;
    let aMax = 0;
    const gate: Gate = {
      ready: (j) => !j.args[0].startsWith('a') || aRunning === 0,
      started: (j) => {
        if (j.args[0].startsWith('a')) aMax = Math.max(aMax, ++aRunning);
      },
      finished: (j, _r, final) => {
        if (final && j.args[0].startsWith('a')) aRunning--;
      },
    };
    const counts = await schedule(
      jobsOf(['a1', 'a2', 'b1', 'a3', 'b2']),
      ex,
      s.collector,
      new EventBus(),
      s.hooks,
      {
        slots: 2,
        attempts: 1,
        delayMs: 0,
        halt,
        gates: [gate],
      },
    );
    expect(counts.succeeded).toBe(5);
    expect(aMax).toBe(1);
    // b1 started before a2: it did not wait behind the closed gate.
    expect(ex.started.indexOf(3)).toBeLessThan(ex.started.indexOf(2));
    expect(s.text()).toBe('a1\na2\nb1\na3\nb2\n');
  });

  it('waits on a gate that opens by time', async () => {
    const ex = new FakeExecutor(1);
    const s = setup();
    let opensAt = Date.now() + 150;
    let woken = 0;
    const gate: Gate = {
      ready: (_j, now) => now >= opensAt,
      wake: (now) => {
        woken++;
        return new Promise((r) => setTimeout(r, Math.max(0, opensAt - now)));
      },
      started: (_j, now) => {
        opensAt = now; // open from now on
      },
    };
    const t0 = Date.now();
    const counts = await schedule(jobsOf(['x', 'y']), ex, s.collector, new EventBus(), s.hooks, {
      slots: 2,
      attempts: 1,
      delayMs: 0,
      halt,
      gates: [gate],
    });
    expect(counts.succeeded).toBe(2);
    expect(woken).toBeGreaterThanOrEqual(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('retries with the delay a policy asks for, and says so in job_retry', async () => {
    const ex = new FakeExecutor(1);
    const s = setup();
    const bus = new EventBus();
    const delays: number[] = [];
    bus.on((e) => {
      if (e.type === 'job_retry') delays.push(e.delayMs);
    });
    const t0 = Date.now();
    const counts = await schedule(jobsOf(['fail']), ex, s.collector, bus, s.hooks, {
      slots: 1,
      attempts: { attempts: 3, retry: (_r, a) => a < 3, delayMs: (a) => a * 50 },
      delayMs: 0,
      halt,
    });
    expect(counts).toMatchObject({ failed: 1, retried: 2, jobs: 1 });
    expect(delays).toEqual([50, 100]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    expect(ex.started).toEqual([1, 1, 1]);
  });
});

describe('Slots', () => {
  it('hands out the lowest free slot and resizes without stopping running jobs', () => {
    const s = new Slots(2);
    expect([s.take(), s.take()]).toEqual([1, 2]);
    expect(s.available).toBe(false);
    s.resize(4);
    expect([s.take(), s.take()]).toEqual([3, 4]);
    s.resize(1);
    s.release(2);
    s.release(1);
    expect(s.available).toBe(false); // 2 still run, the limit is 1
    s.release(3);
    s.release(4);
    expect(s.available).toBe(true);
    expect(s.take()).toBe(1);
    expect(s.available).toBe(false);
  });

  it('adapts the number of running jobs through onJobEnd', async () => {
    const ex = new FakeExecutor(10);
    const s = setup();
    await schedule(
      jobsOf(Array.from({ length: 12 }, (_, i) => `j${i}`)),
      ex,
      s.collector,
      new EventBus(),
      s.hooks,
      {
        slots: 1,
        attempts: 1,
        delayMs: 0,
        halt,
        onJobEnd: (slots) => slots.resize(Math.min(4, slots.size + 1)),
      },
    );
    expect(ex.maxRunning).toBe(4);
  });
});
