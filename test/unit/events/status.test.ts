import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStatus, readStatus, statusCommand } from '../../../src/cli/status.js';
import { WeftError } from '../../../src/errors.js';
import { eventLine } from '../../../src/events/ndjson.js';
import { JOBLOG_HEADER, joblogRow } from '../../../src/events/joblog.js';
import type { RunSummary, WeftEvent } from '../../../src/events/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (body: string) => {
  const p = join(dir, `f${++n}`);
  writeFileSync(p, body);
  return p;
};

/** The WeftError `f` throws, as the CLI prints it (`file:line: message`). */
function described(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return (err as WeftError).describe();
  }
  throw new Error('no error thrown');
}

const STARTED_AT = 1_800_000_000_000;
const summary: RunSummary = {
  jobs: 4,
  succeeded: 3,
  failed: 1,
  skipped: 0,
  retried: 0,
  halted: false,
  exitCode: 1,
  wallMs: 4000,
  speedup: 1.9,
};

/** Events of a 4-job run on 2 slots: jobs 1–2 done at 1 s (job 2 failed), 3–4 running. */
function events(runId = 'run-a', total: number | null = 4): WeftEvent[] {
  const job = (seq: number, t: number, exitCode = 0) => [
    { type: 'job_started', runId, t: t - 900, seq, slot: 1, attempt: 1, command: `job ${seq}` },
    {
      type: 'job_finished',
      runId,
      t,
      seq,
      slot: 1,
      attempt: 1,
      final: true,
      command: `job ${seq}`,
      args: [String(seq)],
      exitCode,
      signal: 0,
      start: STARTED_AT + t - 900,
      durationMs: 900,
      stdoutBytes: 0,
      stderrBytes: 0,
    },
  ];
  return [
    { type: 'run_started', runId, t: 1, jobs: 2, startedAt: STARTED_AT, total: total ?? undefined },
    ...job(1, 1000),
    ...job(2, 1000, 2),
    { type: 'job_failed', runId, t: 1000, seq: 2, exitCode: 2, signal: 0, command: 'job 2' },
    { type: 'job_started', runId, t: 1001, seq: 3, slot: 1, attempt: 1, command: 'job 3' },
    { type: 'job_started', runId, t: 1001, seq: 4, slot: 2, attempt: 1, command: 'job 4' },
  ] as WeftEvent[];
}
const ndjson = (es: WeftEvent[]) => es.map(eventLine).join('');
const finished: WeftEvent[] = [
  ...events(),
  ...([3, 4].map((seq) => ({ ...events()[2], seq, t: 2000 })) as WeftEvent[]),
  { type: 'run_finished', runId: 'run-a', t: 2001, summary },
];

describe('readStatus on an events file', () => {
  it('a running run: done, failed, running, and an ETA from the rate so far', () => {
    // 2 s after the start, 2 of 4 done: 2 left at 1 job/s.
    const s = readStatus(file(ndjson(events())), STARTED_AT + 2000);
    expect(s).toMatchObject({
      source: 'events',
      state: 'running',
      runId: 'run-a',
      done: 2,
      failed: 1,
      running: 2,
      total: 4,
      percent: 50,
      elapsedMs: 2000,
      partial: false,
    });
    expect(s.etaSeconds).toBeCloseTo(2);
  });

  it('a finished run', () => {
    const s = readStatus(file(ndjson(finished)), STARTED_AT + 99_000);
    expect(s).toMatchObject({
      state: 'finished',
      done: 4,
      failed: 1,
      running: 0,
      etaSeconds: 0,
      exitCode: 1,
    });
    expect(s.elapsedMs).toBe(4000); // the run's own wall time, not "now"
  });

  it('a file cut in the middle of a line (a write in progress) leaves that line out', () => {
    const text = ndjson(events());
    const cut = text + eventLine(finished.at(-1)!).slice(0, 25);
    const s = readStatus(file(cut), STARTED_AT + 2000);
    expect(s).toMatchObject({ state: 'running', done: 2, partial: true });
  });

  it('without a total: no percentage, no ETA', () => {
    const s = readStatus(file(ndjson(events('run-a', null))), STARTED_AT + 2000);
    expect(s.total).toBeUndefined();
    expect(s.etaSeconds).toBeUndefined();
    expect(formatStatus(s)).toContain('eta: unknown');
  });

  it('an appended file: the last run counts', () => {
    const s = readStatus(file(ndjson(finished) + ndjson(events('run-b').slice(0, 1))), STARTED_AT + 1000);
    expect(s).toMatchObject({ runId: 'run-b', state: 'running', done: 0, failed: 0, running: 0 });
  });

  it('an empty file: the run is starting', () => {
    expect(readStatus(file(''))).toMatchObject({ state: 'starting', done: 0 });
  });

  it('unknown event types (a newer weft) are skipped', () => {
    const extra = JSON.stringify({ type: 'chunk_ready', runId: 'run-a', t: 5, seq: 9 }) + '\n';
    expect(readStatus(file(ndjson(events()) + extra), STARTED_AT + 2000).done).toBe(2);
  });

  it.each([
    ['not JSON', '{"type":"run_started",\n', /:2: not a weft event \(not JSON\)/],
    ['an array', '[1,2]\n', /:2: not a weft event \(not a JSON object\)/],
    ['no runId', '{"type":"job_started","t":1}\n', /:2: .*type, runId and t are required/],
  ])('a complete line that is %s is an error with its line number', (_name, bad, message) => {
    const text = eventLine(events()[0]) + bad + eventLine(events()[1]);
    const path = file(text);
    expect(described(() => readStatus(path))).toMatch(message);
    expect(described(() => readStatus(path))).toMatch(new RegExp(`^${path}:2: `));
  });

  it('a missing file is a WeftError naming it', () => {
    const path = join(dir, 'missing.ndjson');
    expect(() => readStatus(path)).toThrow(/no such file/);
  });
});

describe('readStatus on a GNU joblog', () => {
  const row = (seq: number, exitCode: number) =>
    joblogRow({ seq, start: STARTED_AT, durationMs: 10, exitCode, signal: 0, command: `job ${seq}` });

  it('counts done and failed; running and ETA are unknown', () => {
    const s = readStatus(file(JOBLOG_HEADER + row(1, 0) + row(2, 1) + row(3, 0)));
    expect(s).toMatchObject({ source: 'joblog', done: 3, failed: 1 });
    expect(formatStatus(s)).toBe(
      'state: unknown (a joblog records finished jobs only)\ndone: 3\nfailed: 1\nrunning: unknown\neta: unknown\n',
    );
  });

  it('a later success of a failed job (--resume-failed) replaces the failure', () => {
    expect(readStatus(file(JOBLOG_HEADER + row(1, 1) + row(1, 0)))).toMatchObject({ done: 1, failed: 0 });
  });

  it('a bad row is an error with its line number', () => {
    const path = file(JOBLOG_HEADER + row(1, 0) + 'garbage\n');
    expect(described(() => readStatus(path))).toMatch(/:3: not a joblog row/);
  });
});

describe('formatStatus and statusCommand', () => {
  it('prints key: value lines', () => {
    const text = formatStatus(readStatus(file(ndjson(events())), STARTED_AT + 2000));
    expect(text).toBe(
      'state: running (2s elapsed)\nrun: run-a\ndone: 2/4 (50%)\nfailed: 1\nrunning: 2\neta: 2s\n',
    );
  });

  it('exit 0 with the report on stdout; 255 and "weft: FILE: ..." for a bad file', () => {
    const out = new PassThrough();
    const err = new PassThrough();
    expect(statusCommand(file(ndjson(finished)), { stdout: out, stderr: err })).toBe(0);
    expect(String(out.read())).toContain('state: finished, exit status 1');
    const bad = file('nope\n');
    expect(statusCommand(bad, { stdout: out, stderr: err })).toBe(255);
    expect(String(err.read())).toBe(`weft: ${bad}:1: not a weft event (not JSON)\n`);
  });
});
