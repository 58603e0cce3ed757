import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { WeftEvent } from '../../../src/events/types.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import { schedule, type JobHooks, type PlannedJob } from '../../../src/schedule/scheduler.js';

/** Runs a job by printing its argument after a delay that puts later jobs first. */
class EchoExecutor implements Executor {
  readonly ran: number[] = [];
  async run(req: ExecRequest): Promise<ExecResult> {
    this.ran.push(req.seq);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, 30 / req.seq));
    req.onStdout(Buffer.from(`ran ${req.command}\n`));
    return { exitCode: 0, signal: 0, start, end: Date.now() };
  }
}

async function* jobs(n: number): AsyncGenerator<PlannedJob> {
  for (let seq = 1; seq <= n; seq++) yield { seq, args: [String(seq)], stdin: { kind: 'none' } };
}

describe('scheduler skips (--resume) and replays (--journal --resume)', () => {
  it('hands the whole job to an async skip hook; a replayed job keeps its place with -k', async () => {
    const stdout = new PassThrough();
    const text: Buffer[] = [];
    stdout.on('data', (b: Buffer) => text.push(b));
    const collector = new OutputCollector(
      { mode: 'group', keepOrder: true, tag: false },
      stdout,
      new PassThrough(),
    );
    const asked: PlannedJob[] = [];
    const hooks: JobHooks = {
      command: (j) => j.args[0],
      tag: () => '',
      skip: async (job) => {
        asked.push(job);
        await new Promise((r) => setTimeout(r, 1));
        if (job.seq === 2) return true; // skipped: prints nothing
        if (job.seq % 2 === 0) return false;
        // Replayed: the hook prints the stored output through the collector itself.
        const sink = collector.start(job.seq, '');
        sink.onStdout(Buffer.from(`stored ${job.seq}\n`));
        collector.finish(job.seq);
        return 'replayed';
      },
    };
    const events: WeftEvent[] = [];
    const bus = new EventBus();
    bus.on((e) => events.push(e));
    const ex = new EchoExecutor();
    const counts = await schedule(jobs(6), ex, collector, bus, hooks, {
      slots: 3,
      attempts: 1,
      delayMs: 0,
      halt: { when: 'never', why: 'fail' },
    });
    expect(asked.map((j) => j.args[0])).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(ex.ran.sort()).toEqual([4, 6]);
    expect(counts).toMatchObject({ skipped: 4, succeeded: 2 });
    expect(events.filter((e) => e.type === 'job_skipped').map((e) => e.seq)).toEqual([1, 2, 3, 5]);
    expect(Buffer.concat(text).toString()).toBe('stored 1\nstored 3\nran 4\nstored 5\nran 6\n');
  });
});
