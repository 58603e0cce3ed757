import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report/build.js';
import { tempDir, weft, WEFT } from '../helpers.js';

const read = (dir: string, name: string): Report =>
  JSON.parse(readFileSync(join(dir, name), 'utf8')) as Report;
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

describe('--report FILE.json', () => {
  it('records every job, the failures with their args, and consistent statistics', async () => {
    const dir = tempDir();
    const values = Array.from({ length: 12 }, (_, i) => String(i + 1));
    // Jobs 4, 8 and 12 fail with exit 1; every job takes at least 100 ms.
    const r = await weft(
      ['-j3', '--report', 'r.json', 'sleep 0.1; [ $(( {} % 4 )) -ne 0 ]', ':::', ...values],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(3);
    const rep = read(dir, 'r.json');
    expect(rep).toMatchObject({ format: 'weft-report', version: 1, complete: true });
    expect(rep.title).toBe('sleep 0.1; [ $(( {} % 4 )) -ne 0 ]');
    expect(rep.summary).toMatchObject({ jobs: 12, succeeded: 9, failed: 3, exitCode: 3, halted: false });

    // Timeline: one attempt per job, on slots 1..3, times inside the run.
    expect(rep.timeline).toHaveLength(12);
    expect(rep.timeline.map((a) => a.seq).sort((a, b) => a - b)).toEqual(values.map(Number));
    for (const a of rep.timeline) {
      expect(a.slot).toBeGreaterThanOrEqual(1);
      expect(a.slot).toBeLessThanOrEqual(3);
      expect(a.startMs).toBeGreaterThanOrEqual(0);
      expect(a.endMs).toBe(a.startMs + a.durationMs);
      expect(a.endMs).toBeLessThanOrEqual(rep.stats.wallMs);
      expect(a.durationMs).toBeGreaterThanOrEqual(90);
      expect(a.exitCode).toBe(a.seq % 4 === 0 ? 1 : 0);
    }

    // Failures: the inputs and commands that caused them.
    const failures = [...rep.failures].sort((a, b) => a.seq - b.seq);
    expect(failures.map((f) => [f.seq, f.args, f.exitCode])).toEqual([
      [4, ['4'], 1],
      [8, ['8'], 1],
      [12, ['12'], 1],
    ]);
    for (const f of failures) expect(f.command).toBe(`sleep 0.1; [ $(( ${f.args[0]} % 4 )) -ne 0 ]`);

    // Statistics agree with the timeline and with each other.
    const busy = sum(rep.timeline.map((a) => a.durationMs));
    expect(rep.stats).toMatchObject({ slots: 3, jobs: 12, attempts: 12, busyMs: busy });
    expect(rep.stats.wallMs).toBe(rep.summary.wallMs);
    expect(rep.stats.speedup).toBeCloseTo(busy / rep.stats.wallMs, 3);
    expect(rep.stats.speedup).toBeCloseTo(rep.summary.speedup, 3);
    // 12 jobs of ≥100 ms on 3 slots: clearly parallel, never more than 3 at once.
    expect(rep.stats.speedup).toBeGreaterThan(1.5);
    expect(rep.stats.speedup).toBeLessThanOrEqual(3);
    expect(rep.stats.efficiency).toBeCloseTo(rep.stats.speedup / 3, 3);
    expect(rep.slots.map((s) => s.slot)).toEqual([1, 2, 3]);
    expect(sum(rep.slots.map((s) => s.attempts))).toBe(12);
    expect(sum(rep.slots.map((s) => s.busyMs))).toBe(busy);
    for (const s of rep.slots) expect(s.utilization).toBeCloseTo(s.busyMs / rep.stats.wallMs, 3);
    expect(sum(rep.histogram.bins.map((b) => b.count))).toBe(12);
    expect(sum(rep.throughput.buckets.map((b) => b.count))).toBe(12);
    expect(rep.throughput.bucketMs).toBe(1000);
    expect(rep.stats.duration.min).toBeGreaterThanOrEqual(90);
  });

  it('counts retries as attempts and lists a job once, with its last attempt', async () => {
    const dir = tempDir();
    const r = await weft(['--retries', '3', '--report', 'r.json', 'exit {}', ':::', '0', '5'], { cwd: dir });
    expect(r.code).toBe(1);
    const rep = read(dir, 'r.json');
    expect(rep.summary).toMatchObject({ jobs: 2, failed: 1, retried: 2 });
    expect(rep.stats).toMatchObject({ jobs: 2, attempts: 4 });
    expect(rep.timeline.filter((a) => a.seq === 2).map((a) => [a.attempt, a.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(rep.failures).toEqual([
      expect.objectContaining({ seq: 2, attempts: 3, exitCode: 5, args: ['5'] }),
    ]);
  });

  it('is written after --halt now, with the failure and the jobs weft stopped', async () => {
    const dir = tempDir();
    const r = await weft(
      [
        '-j2',
        '--halt',
        'now,fail=1',
        '--report',
        'r.json',
        'if [ {} = 1 ]; then sleep 0.2; exit 7; fi; sleep 10',
        ':::',
        '1',
        '2',
        '3',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(7);
    expect(r.ms).toBeLessThan(8000);
    const rep = read(dir, 'r.json');
    expect(rep.complete).toBe(true);
    expect(rep.summary).toMatchObject({ halted: true, exitCode: 7, failed: 1 });
    expect(rep.failures.map((f) => [f.seq, f.args, f.exitCode])).toEqual([[1, ['1'], 7]]);
    expect(rep.stopped.map((s) => [s.seq, s.killed])).toEqual([[2, 'halt']]);
  });

  it('is written after SIGINT twice (stop now), with the jobs that were running', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [WEFT, '-j2', '--report', 'r.json', 'touch started-{}; sleep 20', ':::', 'a', 'b', 'c'],
      { cwd: dir, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (readdirSync(dir).filter((f) => f.startsWith('started-')).length < 2 && Date.now() < deadline)
      await sleep(25);
    // The first SIGINT lets the running jobs finish; the second kills them.
    child.kill('SIGINT');
    await sleep(300);
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code).toBe(130);
    const rep = read(dir, 'r.json');
    expect(rep.summary).toMatchObject({ interrupted: 'SIGINT', exitCode: 130 });
    expect(rep.stopped.map((s) => s.args[0]).sort()).toEqual(['a', 'b']);
    expect(rep.timeline.map((a) => a.killed)).toEqual(['interrupt', 'interrupt']);
    expect(rep.stats.jobs).toBe(0);
  });

  it('rejects other extensions before running anything', async () => {
    const dir = tempDir();
    const r = await weft(['--report', 'r.txt', 'touch', 'ran'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/--report: 'r\.txt' must end in \.json or \.html/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(existsSync(join(dir, 'r.txt'))).toBe(false);
  });

  it('fails before running anything when the file cannot be created', async () => {
    const dir = tempDir();
    const r = await weft(['--report', 'no/such/dir/r.json', 'touch', 'ran'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/no\/such\/dir\/r\.json: no such file/);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('--report FILE.html', () => {
  it('writes one self-contained page with escaped commands and args', async () => {
    const dir = tempDir();
    const evil = '<script>alert(1)</script>';
    const r = await weft(
      [
        '-j2',
        '--report',
        'r.html',
        'case {} in *script*) exit 3;; esac; echo ok',
        ':::',
        'plain',
        evil,
        '"><b>x</b>',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(1);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<b>x|<link|https?:/i);
    expect(html).toContain('Failures (1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<svg');
    expect(html).toContain('fill="#2a7ae2"');
  });
});
