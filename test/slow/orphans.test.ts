import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir, WEFT } from '../e2e/helpers.js';

// Proves that nothing a job started outlives weft, however weft ends: every job runs
// `sleep <marker>`, and afterwards no process on the machine may have the marker in its
// command line (zombies have none: they are dead). Linux only (/proc).

/** Pids of live processes whose command line contains `marker`. */
function withMarker(marker: string): number[] {
  const found: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'latin1').includes(marker)) found.push(Number(d));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Pids of live `sleep <marker>` processes. */
const sleepers = (marker: string) =>
  withMarker(marker).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'latin1').startsWith(`sleep\0${marker}`);
    } catch {
      return false;
    }
  });

/** Waits until `test()` holds (true) or `ms` pass (false). */
async function until(test: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (test()) return true;
  return test();
}

/** A fresh marker: a `sleep` argument no other process has. */
const newMarker = () => `1000.${Math.floor(Math.random() * 1e9)}`;

/** Starts weft with `args` (and `stdin` lines), returning the child and its exit. */
function start(args: string[], env: Record<string, string>, stdin = '') {
  const child: ChildProcess = spawn(process.execPath, [WEFT, ...args], {
    cwd: tempDir(),
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b));
  child.stdout!.resume();
  child.stdin!.end(stdin);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exit.then(() => clearTimeout(killer));
  return { child, exit, stderr: () => stderr };
}

/** Asserts that no process with the marker is left, giving the killing up to 5 s. */
async function noSurvivors(marker: string): Promise<void> {
  await until(() => withMarker(marker).length === 0, 5000);
  expect(withMarker(marker)).toEqual([]);
}

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('no process outlives weft (%s)', (_name, env: Record<string, string>) => {
  it('two SIGTERMs: the first waits (nothing killed, nothing new), the second kills every group', async () => {
    const m = newMarker();
    const w = start(['-j3', `sh -c 'sleep ${m} & wait' # {}`, ':::', '1', '2', '3', '4', '5'], env);
    expect(await until(() => sleepers(m).length === 3, 20_000)).toBe(true);
    w.child.kill('SIGTERM');
    await sleep(1500);
    // Still the same three: none killed, none started.
    expect(sleepers(m)).toHaveLength(3);
    w.child.kill('SIGTERM');
    expect((await w.exit).code).toBe(143);
    await noSurvivors(m);
  });

  it('--timeout: TERM to the group, then KILL for a job that ignores TERM (--termseq)', async () => {
    const m = newMarker();
    const jobs = [`sh -c 'sleep ${m} & wait'`, `sh -c 'trap "" TERM; sleep ${m} & wait'`].join('\n');
    const w = start(['-j2', '--timeout', '2', '--joblog', 'log'], env, jobs + '\n');
    expect(await until(() => sleepers(m).length === 2, 20_000)).toBe(true);
    const r = await w.exit;
    expect(r.code).toBe(2);
    await noSurvivors(m);
  });

  it('--halt now,fail=1 kills the other running jobs with everything they started', async () => {
    const m = newMarker();
    const jobs = [`sh -c 'sleep ${m} & wait'`, `sh -c 'sleep ${m} & wait'`, 'sleep 1; exit 4'].join('\n');
    const w = start(['-j3', '--halt', 'now,fail=1'], env, jobs + '\n');
    expect(await until(() => sleepers(m).length === 2, 20_000)).toBe(true);
    expect((await w.exit).code).toBe(4);
    await noSurvivors(m);
  });

  it('a first SIGINT, then a timeout ends the waited-for job: exit 130, nothing left', async () => {
    const m = newMarker();
    const w = start(['-j2', '--timeout', '3', `sh -c 'sleep ${m} & wait' # {}`, ':::', '1', '2', '3'], env);
    expect(await until(() => sleepers(m).length === 2, 20_000)).toBe(true);
    w.child.kill('SIGINT');
    expect((await w.exit).code).toBe(130);
    expect(w.stderr()).toContain('weft: Waiting for these 2 jobs to finish.');
    await noSurvivors(m);
  });

  it('weft SIGKILLed: its guard ends the running jobs and their children', async () => {
    const m = newMarker();
    const w = start(['-j2', `sh -c 'sleep ${m} & wait' # {}`, ':::', '1', '2', '3'], env);
    expect(await until(() => sleepers(m).length === 2, 20_000)).toBe(true);
    w.child.kill('SIGKILL');
    expect((await w.exit).signal).toBe('SIGKILL');
    await noSurvivors(m);
  });
});
