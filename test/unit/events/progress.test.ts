import { PassThrough, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { cliObservers } from '../../../src/cli/observers.js';
import { barLine, createProgress, gnuStatusLine, snapshot } from '../../../src/cli/progress.js';
import { formatDuration, RunTally } from '../../../src/events/tally.js';
import type { RunSummary, WeftEvent } from '../../../src/events/types.js';
import { defaultSpec } from '../../../src/spec/defaults.js';

const plain = new Chalk({ level: 0 });
const runId = 'r';
const started = (total?: number): WeftEvent => ({
  type: 'run_started',
  runId,
  t: 0,
  jobs: 2,
  startedAt: 0,
  total,
});
const jobStarted = (seq: number, attempt = 1): WeftEvent => ({
  type: 'job_started',
  runId,
  t: 1,
  seq,
  slot: 1,
  attempt,
  command: 'x',
});
const jobFinished = (seq: number, exitCode = 0, final = true): WeftEvent => ({
  type: 'job_finished',
  runId,
  t: 2,
  seq,
  slot: 1,
  attempt: 1,
  final,
  command: 'x',
  args: [],
  exitCode,
  signal: 0,
  start: 0,
  durationMs: 1,
  stdoutBytes: 0,
  stderrBytes: 0,
});
const summary: RunSummary = {
  jobs: 1,
  succeeded: 1,
  failed: 0,
  skipped: 0,
  retried: 0,
  halted: false,
  exitCode: 0,
  wallMs: 5,
  speedup: 1,
};

describe('RunTally', () => {
  it('counts jobs, not attempts; failed from job_failed; skipped count as done', () => {
    const t = new RunTally();
    for (const e of [
      started(4),
      jobStarted(1),
      jobFinished(1, 1, false),
      { type: 'job_retry', runId, t: 3, seq: 1, attempt: 1, exitCode: 1, signal: 0 },
      jobStarted(1, 2),
      jobFinished(1, 1),
      { type: 'job_failed', runId, t: 4, seq: 1, exitCode: 1, signal: 0, command: 'x' },
      { type: 'job_skipped', runId, t: 5, seq: 2, reason: 'resume' },
      jobStarted(3),
    ] as WeftEvent[])
      t.apply(e);
    expect(t).toMatchObject({ started: 2, running: 1, finished: 1, failed: 1, skipped: 1, retried: 1 });
    expect(t.done).toBe(2);
    expect(t.left).toBe(2);
    expect(t.percent()).toBe(50);
  });

  it('ETA: jobs left × elapsed / jobs finished (GNU parallel)', () => {
    const t = new RunTally();
    t.apply(started(10));
    expect(t.etaSeconds(1000)).toBeUndefined(); // nothing finished yet
    for (const seq of [1, 2]) t.apply(jobFinished(seq));
    expect(t.etaSeconds(4000)).toBeCloseTo(16); // 8 left, 2 s each
    expect(t.rate(4000)).toBeCloseTo(0.5);
    for (let seq = 3; seq <= 10; seq++) t.apply(jobFinished(seq));
    expect(t.etaSeconds(4000)).toBe(0);
  });

  it('no ETA for a run that ended before its last job (--halt, a signal)', () => {
    const t = new RunTally();
    t.apply(started(10));
    t.apply(jobFinished(1));
    t.apply({ type: 'run_finished', runId, t: 9, summary });
    expect(t.etaSeconds(4000)).toBeUndefined();
  });

  it('formats durations', () => {
    expect([0, 42.4, 65, 3725, undefined].map(formatDuration)).toEqual(['0s', '42s', '1m05s', '1h02m', '?']);
  });
});

describe('barLine', () => {
  const t = new RunTally();
  t.apply(started(20));
  for (let seq = 1; seq <= 9; seq++) t.apply(jobFinished(seq));
  t.apply({ type: 'job_failed', runId, t: 3, seq: 9, exitCode: 1, signal: 0, command: 'x' });
  t.apply(jobStarted(10));

  it('with a total: bar, percent, done/total, ETA, rate, running, failed', () => {
    const line = barLine(snapshot(t, 3000), 100, plain);
    expect(line).toMatch(/^\[#+-+\] 45% 9\/20 \| ETA 4s \| 3\.0 jobs\/s \| running 1 \| failed 1$/);
    expect(line.length).toBeLessThan(100);
  });

  it('with -j auto: running N of the current limit', () => {
    const a = new RunTally();
    a.apply({ ...started(20), jobs: 2, maxJobs: 64 } as WeftEvent);
    a.apply(jobStarted(1));
    expect(barLine(snapshot(a, 1000), 100, plain)).toContain('| running 1 of 2 |');
    a.apply({ type: 'concurrency_changed', runId, t: 2, limit: 4, previous: 2, reason: 'ramp' });
    expect(barLine(snapshot(a, 1000), 100, plain)).toContain('| running 1 of 4 |');
    expect(a.slots).toBe(4);
  });

  it('narrow terminals lose the bar first, then the end of the text', () => {
    expect(barLine(snapshot(t, 3000), 60, plain)).toBe(
      '45% 9/20 | ETA 4s | 3.0 jobs/s | running 1 | failed 1',
    );
    expect(barLine(snapshot(t, 3000), 20, plain)).toHaveLength(19);
  });

  it('without a total: a counter, no percentage', () => {
    const u = new RunTally();
    u.apply(started(undefined));
    u.apply(jobFinished(1));
    expect(barLine(snapshot(u, 2000), 100, plain)).toBe('1 done | 0.5 jobs/s | running 0 | failed 0 | 2s');
  });

  it('colours only with a colour level', () => {
    const coloured = barLine(snapshot(t, 3000), 100, new Chalk({ level: 1 }));
    expect(coloured).toContain('\x1b[');
    expect(barLine(snapshot(t, 3000), 100, plain)).not.toContain('\x1b');
  });
});

describe('GNU --progress / --eta lines', () => {
  it('match GNU parallel 20221122', () => {
    const t = new RunTally();
    t.apply(started(6));
    t.apply(jobFinished(1));
    t.apply(jobFinished(2));
    t.apply(jobStarted(3));
    t.apply(jobStarted(4));
    expect(gnuStatusLine('progress', t, 1000)).toBe('local:2/2/100%/0.5s');
    expect(gnuStatusLine('eta', t, 1000)).toBe('ETA: 2s Left: 4 AVG: 0.50s  local:2/2/100%/0.5s');
  });
});

/** A fake stderr recording what is written. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(''), write: (s: string) => chunks.push(s), isTTY, columns: 100 };
}

describe('createProgress', () => {
  it('--progress off a terminal: header, \\r lines, a final newline', () => {
    const out = sink(false);
    const p = createProgress({ kind: 'progress', out, inPlace: false, colorLevel: 0 });
    p.listener(started(2));
    p.listener(jobStarted(1));
    p.listener(jobFinished(1));
    p.listener({ type: 'run_finished', runId, t: 3, summary });
    p.close();
    const text = out.text();
    expect(text).toContain(
      'Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete\n',
    );
    expect(text).toMatch(/\rlocal:0\/1\/100%\/[\d.]+s *\n$/);
  });

  it('--bar off a terminal (forced): one line per frame, no cursor movement', () => {
    const out = sink(false);
    const p = createProgress({ kind: 'bar', out, inPlace: false, colorLevel: 0 });
    p.listener(started(2));
    p.listener(jobFinished(1));
    p.listener(jobFinished(2));
    p.listener({ type: 'run_finished', runId, t: 3, summary });
    const text = out.text();
    expect(text).not.toContain('\x1b');
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/100% 2\/2 \| ETA 0s/);
    expect(text).toMatch(/[^\n]\n$/); // no blank line at the end
  });

  it('on a terminal, job output first takes the bar off the line', async () => {
    const out = sink(true);
    const p = createProgress({ kind: 'bar', out, inPlace: true, colorLevel: 0 });
    const jobOut: string[] = [];
    const target = new Writable({
      write(chunk: Buffer, _e, cb) {
        jobOut.push(String(chunk));
        out.chunks.push(`<out:${String(chunk)}>`);
        cb();
      },
    });
    const guarded = p.guard(target);
    p.listener(started(2));
    expect(out.text()).toContain('0% 0/2');
    guarded.write('hello\n');
    p.close();
    const text = out.text();
    const i = text.indexOf('<out:hello\n>');
    expect(text.slice(i - '\r\x1b[K'.length, i)).toBe('\r\x1b[K');
    expect(jobOut).toEqual(['hello\n']);
    expect(text).not.toContain('\x1b7'); // no cursor save/restore: output scrolls
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('cliObservers', () => {
  const spec = defaultSpec({ command: ['true'] });
  const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough() });

  it('nothing on a non-terminal unless asked', async () => {
    const o = await cliObservers({}, spec, io());
    expect(o.onEvent).toBeUndefined();
    expect(o.countTotal).toBe(false);
  });

  it('--events - with a display is a usage error (both want stderr)', async () => {
    await expect(cliObservers({ events: '-', bar: true }, spec, io())).rejects.toThrow(
      /--events - writes to stderr/,
    );
  });

  it('--events - writes to stderr', async () => {
    const s = io();
    const o = await cliObservers({ events: '-' }, spec, s);
    o.onEvent!(started(1));
    o.close();
    expect(JSON.parse(String(s.stderr.read()))).toMatchObject({ type: 'run_started', total: 1 });
    expect(s.stdout.read()).toBeNull();
  });
});
