import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultSpec, run, shellQuote, WeftError, type JobSpec, type WeftEvent } from '../../src/index.js';

/** A Writable that keeps what is written. */
function sink(): Writable & { text(): string } {
  const parts: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(Buffer.from(chunk));
      cb();
    },
  }) as Writable & { text(): string };
  w.text = () => Buffer.concat(parts).toString('utf8');
  return w;
}

const values = (...vs: string[]) =>
  ({ sources: [{ kind: 'values' as const, values: vs }] }) as JobSpec['input'];

async function runSpec(partial: Partial<JobSpec> & Pick<JobSpec, 'command'>, stdin = '') {
  const stdout = sink();
  const stderr = sink();
  const events: WeftEvent[] = [];
  const summary = await run(defaultSpec(partial), {
    stdin: Readable.from([stdin]),
    stdout,
    stderr,
    onEvent: (e) => events.push(e),
  });
  return { summary, stdout: stdout.text(), stderr: stderr.text(), events };
}

describe('library API: run(defaultSpec(...))', () => {
  it('writes only to the given streams and returns a summary', async () => {
    const r = await runSpec({
      command: ['echo out {}; echo err {} >&2'],
      input: values('a', 'b'),
      output: { mode: 'group', keepOrder: true, tag: false },
      jobs: 2,
    });
    expect(r.stdout).toBe('out a\nout b\n');
    expect(r.stderr).toBe('err a\nerr b\n');
    expect(r.summary).toMatchObject({
      jobs: 2,
      succeeded: 2,
      failed: 0,
      skipped: 0,
      retried: 0,
      halted: false,
      exitCode: 0,
    });
    expect(r.summary.interrupted).toBeUndefined();
    expect(r.summary.wallMs).toBeGreaterThanOrEqual(0);
  });

  it('emits events in order: run_started, job_started/job_finished per job, run_finished', async () => {
    const r = await runSpec({ command: ['echo'], input: values('a', 'b', 'c'), jobs: 1 });
    expect(r.events.map((e) => e.type)).toEqual([
      'run_started',
      'job_started',
      'job_finished',
      'job_started',
      'job_finished',
      'job_started',
      'job_finished',
      'run_finished',
    ]);
    const runIds = new Set(r.events.map((e) => e.runId));
    expect(runIds.size).toBe(1);
    const ts = r.events.map((e) => e.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    const finished = r.events.filter((e) => e.type === 'job_finished');
    expect(finished.map((e) => [e.seq, e.slot, e.attempt, e.final, e.exitCode, e.command, e.args])).toEqual([
      [1, 1, 1, true, 0, 'echo a', ['a']],
      [2, 1, 1, true, 0, 'echo b', ['b']],
      [3, 1, 1, true, 0, 'echo c', ['c']],
    ]);
    const last = r.events.at(-1)!;
    expect(last.type === 'run_finished' && last.summary.jobs).toBe(3);
    const first = r.events[0];
    expect(first.type === 'run_started' && first.jobs).toBe(1);
  });

  it('every job_started comes before its job_finished, with several slots', async () => {
    const r = await runSpec({ command: ['sleep 0.0{}'], input: values('3', '1', '2', '1'), jobs: 3 });
    const seen = new Map<number, string[]>();
    for (const e of r.events) {
      if (e.type === 'job_started' || e.type === 'job_finished') {
        seen.set(e.seq, [...(seen.get(e.seq) ?? []), e.type]);
        expect(e.slot).toBeGreaterThanOrEqual(1);
        expect(e.slot).toBeLessThanOrEqual(3);
      }
    }
    expect([...seen.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const v of seen.values()) expect(v).toEqual(['job_started', 'job_finished']);
  });

  it('failures: job_failed events and the exit code, never an exception', async () => {
    const r = await runSpec({ command: ['exit {}'], input: values('0', '3', '4'), jobs: 1 });
    expect(r.summary).toMatchObject({ jobs: 3, succeeded: 1, failed: 2, exitCode: 2 });
    expect(
      r.events.filter((e) => e.type === 'job_failed').map((e) => e.type === 'job_failed' && e.exitCode),
    ).toEqual([3, 4]);
  });

  it('retries emit job_retry and a non-final job_finished', async () => {
    const r = await runSpec({ command: ['exit 1 || {}'], input: values('x'), retries: 3 });
    expect(r.events.map((e) => e.type)).toEqual([
      'run_started',
      'job_started',
      'job_finished',
      'job_retry',
      'job_started',
      'job_finished',
      'job_retry',
      'job_started',
      'job_finished',
      'job_failed',
      'run_finished',
    ]);
    expect(r.summary).toMatchObject({ jobs: 1, failed: 1, retried: 2, exitCode: 1 });
  });

  it('reads stdin from the given stream when there is no source', async () => {
    const r = await runSpec(
      { command: ['echo', '[{}]'], output: { mode: 'group', keepOrder: true, tag: false } },
      'x\ny z\n',
    );
    expect(r.stdout).toBe('[x]\n[y z]\n');
  });

  it('dry run prints commands and emits no job event', async () => {
    const r = await runSpec({ command: ['rm', '{}'], input: values('a b'), dryRun: true });
    expect(r.stdout).toBe("rm 'a b'\n");
    expect(r.events.filter((e) => e.type.startsWith('job_'))).toEqual([]);
    expect(r.summary).toMatchObject({ jobs: 1, exitCode: 0 });
  });

  it('a bad input file rejects with a WeftError (the CLI turns it into exit 255)', async () => {
    const p = runSpec({
      command: ['echo'],
      input: { sources: [{ kind: 'file', path: '/nonexistent/nope.txt' }] } as never,
    });
    await expect(p).rejects.toBeInstanceOf(WeftError);
    await expect(p).rejects.toMatchObject({ code: 'E_NO_FILE', exitCode: 255 });
  });

  /**
   * Starts `values` as `sleep` jobs on `jobs` slots; once the first has started, aborts
   * `signal` (stop starting) and, with `kill`, `killSignal` (kill now) with `reason`.
   */
  async function aborted(reason: string, jobs: number, vals: string[], stages: 'stop' | 'kill' | 'both') {
    const stop = new AbortController();
    const kill = new AbortController();
    const events: WeftEvent[] = [];
    let abortedAt = 0;
    const p = run(defaultSpec({ command: ['sleep'], input: values(...vals), jobs }), {
      stdout: sink(),
      stderr: sink(),
      signal: stop.signal,
      killSignal: kill.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'job_started' && !abortedAt) {
          abortedAt = Date.now();
          if (stages !== 'kill') stop.abort(reason);
          if (stages !== 'stop') kill.abort(reason);
        }
      },
    });
    const summary = await p;
    return { summary, ms: Date.now() - abortedAt, events };
  }

  it('signal stops the run like a first SIGINT: no new job, running jobs finish, exit 130', async () => {
    const r = await aborted('SIGINT', 1, ['0.5', '5', '5'], 'stop');
    expect(r.summary).toMatchObject({ interrupted: 'SIGINT', exitCode: 130, succeeded: 1 });
    expect(r.events.filter((e) => e.type === 'job_started')).toHaveLength(1);
    const stopping = r.events.find((e) => e.type === 'run_stopping');
    expect(stopping).toMatchObject({ reason: 'SIGINT', kill: false });
    const fin = r.events.filter((e) => e.type === 'job_finished');
    expect(fin).toMatchObject([{ seq: 1, final: true, exitCode: 0 }]);
  });

  it('killSignal kills the running jobs: exit 143 with SIGTERM as the reason', async () => {
    const r = await aborted('SIGTERM', 1, ['5', '5'], 'kill');
    expect(r.summary).toMatchObject({ interrupted: 'SIGTERM', exitCode: 143, succeeded: 0, failed: 0 });
    expect(r.ms).toBeLessThan(3000);
    expect(r.events.filter((e) => e.type === 'job_finished')).toMatchObject([{ killed: 'interrupt' }]);
  });

  it('both stages after every job has started (free slots left) kill the running jobs', async () => {
    const r = await aborted('SIGINT', 4, ['5', '5'], 'both');
    expect(r.summary).toMatchObject({ interrupted: 'SIGINT', exitCode: 130 });
    expect(r.ms).toBeLessThan(3000);
  });

  it('SIGHUP as the reason reports 129', async () => {
    const r = await aborted('SIGHUP', 1, ['0.2', '5'], 'stop');
    expect(r.summary).toMatchObject({ interrupted: 'SIGHUP', exitCode: 129, succeeded: 1 });
  });

  it('a retry waiting for its delay is dropped by the first stage (no joblog outcome)', async () => {
    const stop = new AbortController();
    const events: WeftEvent[] = [];
    const summary = await run(
      defaultSpec({ command: ['exit 3 #'], input: values('a'), retries: 3, retryDelay: { min: 30 } }),
      {
        stdout: sink(),
        stderr: sink(),
        signal: stop.signal,
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'job_retry') stop.abort('SIGTERM');
        },
      },
    );
    expect(summary).toMatchObject({ exitCode: 143, failed: 0, succeeded: 0 });
    expect(events.filter((e) => e.type === 'job_started')).toHaveLength(1);
  });

  it('defaultSpec fills GNU defaults; shellQuote is exported', () => {
    const s = defaultSpec({ command: ['x'] });
    expect(s).toMatchObject({
      replace: '{}',
      quoteCommand: false,
      grouping: { kind: 'single' },
      retries: 1,
      delay: 0,
      dryRun: false,
      halt: { when: 'never', why: 'fail' },
      resume: 'none',
      input: {
        sources: [],
        delimiter: '\n',
        trim: 'n',
        columns: { kind: 'none' },
        header: false,
        shuffle: false,
        link: false,
      },
      output: { mode: 'group', keepOrder: false, tag: false },
    });
    expect(s.jobs).toBeGreaterThanOrEqual(1);
    expect(shellQuote("a'b")).toBe(`'a'"'"'b'`);
  });
});
