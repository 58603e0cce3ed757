import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import { eventLine, ndjsonWriter } from '../../../src/events/ndjson.js';
import type { WeftEvent } from '../../../src/events/types.js';
import { run } from '../../../src/run.js';
import { defaultSpec } from '../../../src/spec/defaults.js';
import type { JobSpec } from '../../../src/spec/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-ndjson-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = () => join(dir, `events${++n}.ndjson`);

const parse = (text: string): WeftEvent[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as WeftEvent);

/** Runs `command` once per value through the library API, events into an NDJSON file. */
async function runTo(path: string, command: string, values: string[], extra: Partial<JobSpec> = {}) {
  const spec = defaultSpec({
    command: [command],
    jobs: 2,
    input: { sources: [{ kind: 'values', values }] } as never,
    ...extra,
  });
  const writer = ndjsonWriter(path);
  const out = new PassThrough();
  out.resume();
  try {
    const summary = await run(spec, { onEvent: writer.listener, stdout: out, stderr: out, countTotal: true });
    return { summary, events: parse(readFileSync(path, 'utf8')) };
  } finally {
    writer.close();
  }
}

describe('eventLine', () => {
  it('is one line of JSON with type, runId and t first', () => {
    const line = eventLine({ runId: 'r1', t: 1.5, type: 'job_skipped', seq: 3, reason: 'resume' });
    expect(line).toBe('{"type":"job_skipped","runId":"r1","t":1.5,"seq":3,"reason":"resume"}\n');
  });

  it('escapes newlines in commands, so an event stays on one line', () => {
    const line = eventLine({
      runId: 'r',
      t: 0,
      type: 'job_started',
      seq: 1,
      slot: 1,
      attempt: 1,
      command: 'a\nb',
    });
    expect(line.split('\n')).toEqual([expect.any(String), '']);
    expect((JSON.parse(line) as { command: string }).command).toBe('a\nb');
  });
});

describe('ndjsonWriter with a real run (library API)', () => {
  it('writes every event in order: run_started first, run_finished last, one final job_finished per job', async () => {
    const path = file();
    const { summary, events } = await runTo(path, 'exit {}', ['0', '3', '0']);
    expect(summary.failed).toBe(1);

    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run_started');
    expect(types.at(-1)).toBe('run_finished');
    expect(types.filter((t) => t === 'run_started')).toHaveLength(1);
    expect(types.filter((t) => t === 'job_started')).toHaveLength(3);
    expect(types.filter((t) => t === 'job_failed')).toHaveLength(1);

    const start = events[0] as Extract<WeftEvent, { type: 'run_started' }>;
    expect(start.jobs).toBe(2);
    expect(start.total).toBe(3);
    expect(start.startedAt).toBeGreaterThan(Date.now() - 60_000);

    // Same run, monotonic time.
    for (const e of events) expect(e.runId).toBe(start.runId);
    const ts = events.map((e) => e.t);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);

    // Per job: started before finished; exit codes as the command says.
    const finished = events.filter(
      (e): e is Extract<WeftEvent, { type: 'job_finished' }> => e.type === 'job_finished',
    );
    expect(finished.map((e) => e.seq).sort()).toEqual([1, 2, 3]);
    for (const f of finished) {
      expect(f.final).toBe(true);
      expect(f.exitCode).toBe(f.seq === 2 ? 3 : 0);
      expect(f.args).toEqual([['0', '3', '0'][f.seq - 1]]);
      expect(f.command).toBe(`exit ${f.args[0]}`);
      const startedAt = events.findIndex((e) => e.type === 'job_started' && e.seq === f.seq);
      expect(startedAt).toBeGreaterThan(0);
      expect(startedAt).toBeLessThan(events.indexOf(f));
    }
    const failed = events.find((e) => e.type === 'job_failed') as Extract<WeftEvent, { type: 'job_failed' }>;
    expect(failed).toMatchObject({ seq: 2, exitCode: 3, signal: 0, command: 'exit 3' });
    // job_failed comes after that job's job_finished.
    expect(events.indexOf(failed)).toBeGreaterThan(
      events.findIndex((e) => e.type === 'job_finished' && e.seq === 2),
    );

    const end = events.at(-1) as Extract<WeftEvent, { type: 'run_finished' }>;
    expect(end.summary).toMatchObject({ jobs: 3, succeeded: 2, failed: 1, exitCode: 1 });
  });

  it('records retries: a non-final job_finished, job_retry, then the last attempt', async () => {
    const path = file();
    const { events } = await runTo(path, 'exit 1', ['x'], { retries: 2 });
    const job = events.filter((e) => 'seq' in e).map((e) => e.type);
    expect(job).toEqual([
      'job_started',
      'job_finished',
      'job_retry',
      'job_started',
      'job_finished',
      'job_failed',
    ]);
    const finals = events
      .filter((e) => e.type === 'job_finished')
      .map((e) => (e as { final: boolean }).final);
    expect(finals).toEqual([false, true]);
  });

  it('leaves total out when the input is not finite (stdin)', async () => {
    const path = file();
    const stdin = new PassThrough();
    stdin.end('a\nb\n');
    const writer = ndjsonWriter(path);
    const out = new PassThrough().resume();
    await run(defaultSpec({ command: ['true'], jobs: 1 }), {
      stdin,
      stdout: out,
      stderr: out,
      onEvent: writer.listener,
      countTotal: true,
    });
    writer.close();
    const [start] = parse(readFileSync(path, 'utf8'));
    expect(start.type).toBe('run_started');
    expect(start).not.toHaveProperty('total');
  });
});

describe('ndjsonWriter targets', () => {
  it('a stream gets exactly one write per event, each a whole line', () => {
    const writes: string[] = [];
    const w = ndjsonWriter({ write: (s: string) => writes.push(s) });
    w.listener({ type: 'job_skipped', runId: 'r', t: 1, seq: 1, reason: 'resume' });
    w.listener({ type: 'job_skipped', runId: 'r', t: 2, seq: 2, reason: 'resume' });
    w.close();
    expect(writes).toHaveLength(2);
    for (const s of writes) expect(s).toMatch(/^\{.*\}\n$/);
  });

  it('a file is truncated, or appended to with append', () => {
    const path = file();
    const e: WeftEvent = { type: 'job_skipped', runId: 'r', t: 1, seq: 1, reason: 'resume' };
    for (const append of [false, false, true]) {
      const w = ndjsonWriter(path, { append });
      w.listener(e);
      w.close();
    }
    expect(parse(readFileSync(path, 'utf8'))).toHaveLength(2);
  });

  it('writes nothing after close', () => {
    const path = file();
    const w = ndjsonWriter(path);
    w.close();
    w.listener({ type: 'job_skipped', runId: 'r', t: 1, seq: 1, reason: 'resume' });
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it('a file that cannot be created is a WeftError naming it', () => {
    const path = join(dir, 'no-such-dir', 'events.ndjson');
    expect(() => ndjsonWriter(path)).toThrow(WeftError);
    expect(() => ndjsonWriter(path)).toThrow(/no such file/);
  });
});
