import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Reuse, type ReuseOptions } from '../../../src/cache/reuse.js';
import { CacheStore } from '../../../src/cache/store.js';
import { OutputCollector } from '../../../src/collect/output.js';
import { EventBus } from '../../../src/events/bus.js';
import type { WeftEvent } from '../../../src/events/types.js';
import type { ExecRequest, ExecResult, Executor } from '../../../src/exec/types.js';
import { schedule, type JobHooks, type PlannedJob } from '../../../src/schedule/scheduler.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Prints "out:<arg>" and "err:<arg>"; an arg starting with "bad" exits 3. */
class Echo implements Executor {
  readonly ran: string[] = [];
  constructor(private readonly ms = 20) {}
  async run(req: ExecRequest): Promise<ExecResult> {
    this.ran.push(req.command);
    const start = Date.now();
    req.onStdout(Buffer.from(`out:${req.command}\n`));
    await new Promise((r) => setTimeout(r, this.ms));
    req.onStderr(Buffer.from(`err:${req.command}\n`));
    req.onStdout(Buffer.from(`more:${req.command}\n`));
    return { exitCode: req.command.startsWith('bad') ? 3 : 0, signal: 0, start, end: Date.now() };
  }
}

async function* jobsOf(args: string[], pauseBefore: Record<number, number> = {}): AsyncGenerator<PlannedJob> {
  let seq = 0;
  for (const a of args) {
    seq++;
    if (pauseBefore[seq]) await new Promise((r) => setTimeout(r, pauseBefore[seq]));
    yield { seq, args: [a], stdin: { kind: 'none' } };
  }
}

async function go(
  args: string[],
  opts: Omit<ReuseOptions, 'env'>,
  more: { keepOrder?: boolean; pauseBefore?: Record<number, number>; done?: JobHooks['done'] } = {},
) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on('data', (b: Buffer) => out.push(b));
  const stderr = new PassThrough().on('data', (b: Buffer) => err.push(b));
  const collector = new OutputCollector(
    { mode: 'group', keepOrder: more.keepOrder ?? true, tag: false },
    stdout,
    stderr,
  );
  const bus = new EventBus();
  const events: WeftEvent[] = [];
  bus.on((e) => events.push(e));
  const hooks: JobHooks = { command: (j) => j.args[0], tag: () => '', done: more.done };
  const reuse = new Reuse({ ...opts, env: [] }, bus, collector, hooks);
  const ex = new Echo();
  const counts = await schedule(
    reuse.filter(jobsOf(args, more.pauseBefore)),
    reuse.wrap(ex),
    collector,
    bus,
    hooks,
    {
      slots: 4,
      attempts: 1,
      delayMs: 0,
      halt: { when: 'never', why: 'fail' },
    },
  );
  await reuse.finish();
  const skipped = events.filter((e) => e.type === 'job_skipped');
  return {
    counts,
    reused: reuse.counts,
    ran: ex.ran,
    stdout: Buffer.concat(out).toString(),
    stderr: Buffer.concat(err).toString(),
    skipped: skipped.map((e) => ({ seq: e.seq, reason: e.reason, of: 'of' in e ? e.of : undefined })),
    events,
  };
}

const expected = (args: string[]) => args.map((a) => `out:${a}\nmore:${a}\n`).join('');

describe('--dedupe', () => {
  it('runs each distinct job once and gives every duplicate its output, in order', async () => {
    const args = ['a', 'b', 'a', 'a', 'c', 'b'];
    const r = await go(args, { dedupe: {} });
    expect(r.ran.sort()).toEqual(['a', 'b', 'c']);
    expect(r.counts).toMatchObject({ jobs: 3, succeeded: 3 });
    expect(r.reused).toEqual({ cached: 0, deduped: 3, succeeded: 3, failed: 0 });
    expect(r.stdout).toBe(expected(args));
    expect(r.stderr).toBe(args.map((a) => `err:${a}\n`).join(''));
    expect(r.skipped).toEqual([
      { seq: 3, reason: 'dedupe', of: 1 },
      { seq: 4, reason: 'dedupe', of: 1 },
      { seq: 6, reason: 'dedupe', of: 2 },
    ]);
  });

  it('fans a failure out too: each duplicate fails as its job did', async () => {
    const r = await go(['bad', 'ok', 'bad'], { dedupe: {} });
    expect(r.counts).toMatchObject({ jobs: 2, failed: 1, succeeded: 1 });
    expect(r.reused).toEqual({ cached: 0, deduped: 1, succeeded: 0, failed: 1 });
    const failed = r.events.filter((e) => e.type === 'job_failed').map((e) => e.seq);
    expect(failed.sort()).toEqual([1, 3]);
  });

  it('with a window, runs a duplicate again once the result is older than the window', async () => {
    // seq 2 comes while 1 runs (waits for it), seq 3 well after the 50 ms window.
    const r = await go(['a', 'a', 'a'], { dedupe: { windowMs: 50 } }, { pauseBefore: { 3: 300 } });
    expect(r.ran).toEqual(['a', 'a']);
    expect(r.reused.deduped).toBe(1);
    expect(r.stdout).toBe(expected(['a', 'a', 'a']));
  });

  it('hands replayed output to the done hook (--results, --aggregate)', async () => {
    const seen: [number, string][] = [];
    await go(
      ['a', 'a'],
      { dedupe: {} },
      { done: (j, _r, out) => seen.push([j.seq, Buffer.concat(out).toString()]) },
    );
    expect(seen.sort()).toEqual([
      [1, 'out:a\nmore:a\n'],
      [2, 'out:a\nmore:a\n'],
    ]);
  });
});

describe('--cache', () => {
  it('stores successes only, and a second run replays them without running', async () => {
    const cache = () => CacheStore.open(join(dir, 'c1'), undefined, () => {});
    const args = ['a', 'bad', 'b'];
    const first = await go(args, { cache: await cache() }, { keepOrder: true });
    expect(first.ran.sort()).toEqual(['a', 'b', 'bad']);
    expect(first.reused.cached).toBe(0);
    const second = await go(args, { cache: await cache() }, { keepOrder: true });
    expect(second.ran).toEqual(['bad']);
    expect(second.reused).toEqual({ cached: 2, deduped: 0, succeeded: 2, failed: 0 });
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
  });

  it('with --dedupe, a duplicate of a cached job counts as a duplicate', async () => {
    const cache = () => CacheStore.open(join(dir, 'c2'), undefined, () => {});
    await go(['x'], { cache: await cache() });
    const r = await go(['x', 'y', 'x', 'y'], { cache: await cache(), dedupe: {} });
    expect(r.ran).toEqual(['y']);
    expect(r.reused).toEqual({ cached: 1, deduped: 2, succeeded: 3, failed: 0 });
    expect(r.stdout).toBe(expected(['x', 'y', 'x', 'y']));
  });
});
