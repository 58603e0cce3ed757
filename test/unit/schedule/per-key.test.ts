import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import { isKeyTemplate, PerKeyGate } from '../../../src/schedule/per-key.js';
import { schedule, type PlannedJob } from '../../../src/schedule/scheduler.js';

describe('isKeyTemplate', () => {
  it('tells a job key template from a record field', () => {
    for (const t of ['{1}', '{}', '{host}', 'api-{2}', '{1.}', '{/}']) expect(isKeyTemplate(t), t).toBe(true);
    for (const f of ['host', '2', 'user.name', 'a b', '{ x }']) expect(isKeyTemplate(f), f).toBe(false);
    expect(isKeyTemplate('XX', 'XX')).toBe(true);
  });
});

/** Jobs take `ms`; counts how many of each key run at once. */
class Tracking implements Executor {
  private readonly now = new Map<string, number>();
  readonly max = new Map<string, number>();
  overall = 0;
  maxOverall = 0;
  readonly order: string[] = [];
  constructor(private readonly ms: number) {}
  async run(req: ExecRequest): Promise<ExecResult> {
    const key = req.command.split(' ')[0];
    const n = (this.now.get(key) ?? 0) + 1;
    this.now.set(key, n);
    this.max.set(key, Math.max(this.max.get(key) ?? 0, n));
    this.maxOverall = Math.max(this.maxOverall, ++this.overall);
    this.order.push(req.command);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, this.ms));
    this.now.set(key, this.now.get(key)! - 1);
    this.overall--;
    const fail = req.command.endsWith('fail');
    return { exitCode: fail ? 1 : 0, signal: 0, start, end: Date.now() };
  }
}

async function* jobsOf(commands: string[]): AsyncGenerator<PlannedJob> {
  let seq = 0;
  for (const c of commands) yield { seq: ++seq, args: [c], stdin: { kind: 'none' } };
}

async function run(commands: string[], gate: PerKeyGate, ex: Executor, slots: number, attempts = 1) {
  const out = new PassThrough();
  return schedule(
    jobsOf(commands),
    ex,
    new OutputCollector({ mode: 'group', keepOrder: false, tag: false }, out, out),
    new EventBus(),
    { command: (j) => j.args[0], tag: () => '' },
    { slots, attempts, delayMs: 0, halt: { when: 'never', why: 'fail' }, gates: [gate] },
  );
}

describe('PerKeyGate in the scheduler', () => {
  it('never runs more than N jobs of one key, and lets other keys through', async () => {
    const commands = [
      ...Array.from({ length: 6 }, (_, i) => `a ${i}`),
      ...Array.from({ length: 3 }, (_, i) => `b ${i}`),
      'c 0',
    ];
    const ex = new Tracking(30);
    const gate = new PerKeyGate((j) => j.args[0].split(' ')[0], 2);
    const counts = await run(commands, gate, ex, 6);
    expect(counts.succeeded).toBe(10);
    expect(ex.max.get('a')).toBe(2);
    expect(ex.max.get('b')).toBe(2);
    // b and c did not wait behind the a jobs: up to 5 ran at once.
    expect(ex.maxOverall).toBeGreaterThanOrEqual(4);
    expect(ex.order.indexOf('c 0')).toBeLessThan(ex.order.indexOf('a 2'));
    expect(gate.runningFor('a')).toBe(0);
  });

  it('holds the key across retries, until the last attempt ends', async () => {
    const ex = new Tracking(10);
    const gate = new PerKeyGate(() => 'k', 1);
    const counts = await run(['k 1 fail', 'k 2', 'k 3 fail'], gate, ex, 3, 2);
    expect(counts).toMatchObject({ succeeded: 1, failed: 2, retried: 2 });
    expect(ex.max.get('k')).toBe(1);
    // The retry of job 1 ran before job 2 started.
    expect(ex.order.slice(0, 3)).toEqual(['k 1 fail', 'k 1 fail', 'k 2']);
  });
});
