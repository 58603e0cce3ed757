import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { WEFT, lines, tempDir, weft } from '../helpers.js';

interface Ev {
  type: string;
  runId: string;
  t: number;
  seq?: number;
  final?: boolean;
  exitCode?: number;
  total?: number;
  summary?: { exitCode: number; jobs: number; failed: number };
}

const parse = (text: string): Ev[] => lines(text).map((l) => JSON.parse(l) as Ev);

/** The checks every events stream of a finished run passes. */
function expectWholeRun(events: Ev[], exitCodes: Record<number, number>) {
  const types = events.map((e) => e.type);
  expect(types[0]).toBe('run_started');
  expect(types.at(-1)).toBe('run_finished');
  expect(new Set(events.map((e) => e.runId)).size).toBe(1);
  const ts = events.map((e) => e.t);
  expect([...ts].sort((a, b) => a - b)).toEqual(ts);
  const finished = events.filter((e) => e.type === 'job_finished' && e.final);
  expect(finished.map((e) => e.seq).sort((a, b) => a! - b!)).toEqual(Object.keys(exitCodes).map(Number));
  for (const f of finished) expect(f.exitCode).toBe(exitCodes[f.seq!]);
  const failed = Object.values(exitCodes).filter((c) => c !== 0).length;
  expect(types.filter((t) => t === 'job_failed')).toHaveLength(failed);
  expect(events.at(-1)!.summary).toMatchObject({
    jobs: Object.keys(exitCodes).length,
    failed,
    exitCode: failed,
  });
}

describe.concurrent('--events', () => {
  it('--events - writes NDJSON to stderr; stdout keeps the job output only', async () => {
    const r = await weft(['--events', '-', '-k', 'echo out {}; exit {}', ':::', '0', '2', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('out 0\nout 2\nout 0\n');
    const events = parse(r.stderr);
    expectWholeRun(events, { 1: 0, 2: 2, 3: 0 });
    expect(events[0].total).toBe(3);
  });

  it('--events FILE with a real run, -j2', async () => {
    const cwd = tempDir();
    const r = await weft(['--events', 'ev.ndjson', '-j2', 'exit {}', ':::', '0', '1', '0', '3'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expectWholeRun(parse(readFileSync(join(cwd, 'ev.ndjson'), 'utf8')), { 1: 0, 2: 1, 3: 0, 4: 3 });
  });

  it('--events FILE in a missing folder is weft’s own error, before any job runs', async () => {
    const cwd = tempDir();
    const r = await weft(['--events', 'no/ev.ndjson', 'touch', 'ran', ':::', 'x'], { cwd });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('weft: no/ev.ndjson: no such file\n');
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it('--events - with --bar is a usage error', async () => {
    const r = await weft(['--events', '-', '--bar', 'true', ':::', 'x']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: --events - writes to stderr/);
  });
});

describe.concurrent('--status', () => {
  it('a finished run', async () => {
    const cwd = tempDir();
    await weft(['--events', 'ev.ndjson', 'exit {}', ':::', '0', '1', '0'], { cwd });
    const r = await weft(['--status', 'ev.ndjson'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^state: finished, exit status 1 \(\d+s elapsed\)\n/);
    expect(r.stdout).toContain('\ndone: 3/3 (100%)\nfailed: 1\nrunning: 0\neta: 0s\n');
  });

  it('a file cut in the middle of a line: the run is still going', async () => {
    const cwd = tempDir();
    await weft(['--events', 'ev.ndjson', '-j1', 'exit {}', ':::', '0', '5', '0', '0'], { cwd });
    const text = readFileSync(join(cwd, 'ev.ndjson'), 'utf8');
    // Cut in the middle of the third job's job_finished.
    const at = text.indexOf('"type":"job_finished"', text.indexOf('"seq":3,"slot"'));
    writeFileSync(join(cwd, 'part.ndjson'), text.slice(0, at + 30));
    const r = await weft(['--status', 'part.ndjson'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^state: running \(/);
    expect(r.stdout).toContain('\ndone: 2/4 (50%)\nfailed: 1\nrunning: 1\neta: ');
  });

  it('a GNU joblog', async () => {
    const cwd = tempDir();
    await weft(['--joblog', 'log', 'exit {}', ':::', '0', '1'], { cwd });
    const r = await weft(['--status', 'log'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('done: 2\nfailed: 1\nrunning: unknown\neta: unknown\n');
  });

  it('a missing file: weft: FILE: no such file, 255', async () => {
    const r = await weft(['--status', 'nope.ndjson']);
    expect(r).toMatchObject({ code: 255, stdout: '', stderr: 'weft: nope.ndjson: no such file\n' });
  });

  it('a garbled line: its line number, 255', async () => {
    const cwd = tempDir({
      'bad.ndjson': '{"type":"run_started","runId":"a","t":0,"jobs":1,"startedAt":1}\n{oops\n{}\n',
    });
    const r = await weft(['--status', 'bad.ndjson'], { cwd });
    expect(r).toMatchObject({
      code: 255,
      stdout: '',
      stderr: 'weft: bad.ndjson:2: not a weft event (not JSON)\n',
    });
  });

  it('a run in progress, read while it writes, within 5 s', async () => {
    const cwd = tempDir();
    const child = spawn(
      process.execPath,
      [WEFT, '--events', 'ev.ndjson', '-j2', 'sleep {}', ':::', '0', '0', '30', '30'],
      {
        cwd,
        stdio: 'ignore',
      },
    );
    try {
      const file = join(cwd, 'ev.ndjson');
      const deadline = Date.now() + 30_000;
      while (!(existsSync(file) && readFileSync(file, 'utf8').split('"job_finished"').length > 2)) {
        if (Date.now() > deadline) throw new Error('no job finished within 30 s');
        await sleep(100);
      }
      const r = await weft(['--status', 'ev.ndjson'], { cwd, timeoutMs: 5000 });
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(5000);
      expect(r.stdout).toMatch(/^state: running \(\d+s elapsed\)\n/);
      expect(r.stdout).toMatch(/\ndone: 2\/4 \(50%\)\nfailed: 0\nrunning: 2\neta: \d+s\n$/);
    } finally {
      // Twice: the first SIGTERM only stops new jobs, the second kills the running ones.
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGTERM'), 300);
    }
  });
});

describe.concurrent('progress off a terminal', () => {
  it('draws nothing unless asked', async () => {
    const r = await weft(['-j2', 'true', ':::', 'a', 'b']);
    expect(r.stderr).toBe('');
  });

  it('--progress: GNU parallel’s header and status lines on stderr', async () => {
    const r = await weft(['--progress', '-j2', 'true', ':::', 'a', 'b', 'c']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('\nComputers / CPU cores / Max jobs to run\n1:local / ');
    expect(r.stderr).toMatch(/\rlocal:0\/3\/100%\/\d+\.\ds *\n$/);
  });

  it('--eta: ETA, jobs left and the average', async () => {
    const r = await weft(['--eta', '-j2', 'true', ':::', 'a', 'b', 'c']);
    expect(r.stderr).toMatch(/\rETA: 0s Left: 0 AVG: \d+\.\d\ds {2}local:0\/3\/100%\/\d+\.\ds *\n$/);
  });

  it('--bar forced: whole lines, no colour, no cursor control; the last one at 100%', async () => {
    const r = await weft(['--bar', '-j2', 'true', ':::', 'a', 'b', 'c']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('\x1b');
    expect(lines(r.stderr).at(-1)).toMatch(
      /^\[\S+\] 100% 3\/3 \| ETA 0s \| [\d.]+ jobs\/s \| running 0 \| failed 0$/,
    );
  });

  it('--bar with input from stdin: a counter without percentage', async () => {
    const r = await weft(['--bar', 'true'], { stdin: 'a\nb\n' });
    expect(lines(r.stderr).at(-1)).toMatch(/^2 done \| [\d.]+ jobs\/s \| running 0 \| failed 0 \| \d+s$/);
  });

  it('a dry run writes no events file', async () => {
    const cwd = tempDir();
    const r = await weft(['--dry-run', '--events', 'ev', 'echo', ':::', 'a'], { cwd });
    expect(r.stdout).toBe('echo a\n');
    expect(existsSync(join(cwd, 'ev'))).toBe(false);
  });
});
