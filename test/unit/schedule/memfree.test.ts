import { PassThrough } from 'node:stream';
import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { WeftEvent } from '../../../src/events/types.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import { admissionGates } from '../../../src/schedule/admission.js';
import { availableMemory, MemfreeGate } from '../../../src/schedule/memfree.js';
import { schedule } from '../../../src/schedule/scheduler.js';
import { defaultSpec } from '../../../src/spec/defaults.js';

const G = 1024 ** 3;
const job = { seq: 1, args: [], stdin: { kind: 'none' as const } };

describe('MemfreeGate', () => {
  it('holds while free memory is below the limit, and says so once per hold', () => {
    let free = 1 * G;
    const holds: number[] = [];
    const releases: [number, number][] = [];
    const g = new MemfreeGate(2 * G, {
      free: () => free,
      onHold: (f) => holds.push(f),
      onRelease: (f, ms) => releases.push([f, ms]),
    });
    expect(g.ready(job, 1000)).toBe(false);
    expect(g.ready(job, 1100)).toBe(false);
    expect(holds).toEqual([1 * G]);
    expect(g.wake()).toBeInstanceOf(Promise);
    free = 3 * G;
    expect(g.ready(job, 1120)).toBe(false); // read again only after 50 ms
    expect(g.ready(job, 1200)).toBe(true);
    expect(releases).toEqual([[3 * G, 200]]);
    expect(g.wake()).toBeUndefined();
  });

  it('reads real free memory by default', () => {
    expect(availableMemory()).toBeGreaterThan(0);
    expect(availableMemory()).toBeLessThanOrEqual(totalmem());
    expect(new MemfreeGate(1024).ready(job, Date.now())).toBe(true);
  });
});

class Instant implements Executor {
  readonly started: number[] = [];
  async run(_req: ExecRequest): Promise<ExecResult> {
    const t = Date.now();
    this.started.push(t);
    return { exitCode: 0, signal: 0, start: t, end: t };
  }
}

describe('--memfree in the scheduler', () => {
  it('starts nothing until memory is free, then everything', async () => {
    let free = 100;
    const bus = new EventBus();
    const events: WeftEvent[] = [];
    bus.on((e) => events.push(e));
    const stderr = new PassThrough();
    const notices: string[] = [];
    stderr.on('data', (b: Buffer) => notices.push(b.toString()));
    const spec = { ...defaultSpec({ command: ['x'] }), memfree: 1000 };
    const gates = admissionGates(spec, { bus, stderr, memory: () => free });
    const t0 = Date.now();
    setTimeout(() => (free = 5000), 400);
    async function* jobs() {
      for (let seq = 1; seq <= 3; seq++) yield { seq, args: [], stdin: { kind: 'none' as const } };
    }
    const ex = new Instant();
    const out = new PassThrough();
    const counts = await schedule(
      jobs(),
      ex,
      new OutputCollector({ mode: 'group', keepOrder: false, tag: false }, out, out),
      bus,
      { command: () => 'x', tag: () => '' },
      { slots: 2, attempts: 1, delayMs: 0, halt: { when: 'never', why: 'fail' }, gates },
    );
    expect(counts.succeeded).toBe(3);
    expect(Math.min(...ex.started) - t0).toBeGreaterThanOrEqual(390);
    expect(events.filter((e) => e.type === 'jobs_held')).toMatchObject([
      { reason: 'memfree', freeBytes: 100, limitBytes: 1000 },
    ]);
    const released = events.find((e) => e.type === 'jobs_released');
    expect(released).toMatchObject({ reason: 'memfree', freeBytes: 5000 });
    expect(notices.join('')).toBe('weft: free memory 100 is below --memfree 1000: new jobs wait\n');
  });

  it('refuses a limit above the machine’s memory', () => {
    const spec = { ...defaultSpec({ command: ['x'] }), memfree: totalmem() + 1 };
    expect(() => admissionGates(spec, { bus: new EventBus(), stderr: new PassThrough() })).toThrow(
      /--memfree .* is more than this machine's memory/,
    );
  });
});
