import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir, WEFT } from './helpers.js';

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function dies(pid: number, ms = 3000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!alive(pid)) return true;
  return !alive(pid);
}

async function waitFor(path: string, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !existsSync(path) && Date.now() < end;) await sleep(20);
}

/**
 * Starts weft; once `ready` exists in its cwd, sends each signal of `sigs` (the later ones
 * after `gapMs`), and returns status, output and the time from the last signal to the exit.
 */
async function signalled(args: string[], sigs: NodeJS.Signals[], env: Record<string, string>, gapMs = 300) {
  const cwd = tempDir();
  const child = spawn(process.execPath, [WEFT, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(join(cwd, 'ready'));
  let sentAt = 0;
  for (const [i, sig] of sigs.entries()) {
    if (i > 0) await sleep(gapMs);
    sentAt = Date.now();
    child.kill(sig);
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await closed;
  clearTimeout(killer);
  return { code, afterSignalMs: Date.now() - sentAt, cwd, stdout, stderr };
}

// Marks itself started, records its pid and a grandchild's, then sleeps `{}` seconds.
const JOB =
  "sh -c 'sleep 20 & echo $! > gc{#}; echo $$ > pid{#}; touch ready; sleep {}; echo out {#}; wait' {}";
const pidOf = (cwd: string, name: string) => Number(readFileSync(join(cwd, name), 'utf8'));

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('signals to weft (%s)', (_name, env: Record<string, string>) => {
  it('a first SIGTERM starts no new job, lets the running one finish and print, then exits 143', async () => {
    // The job's background grandchild is killed by the job itself once it has printed.
    const job = "sh -c 'touch ready; sleep 1; echo out {}' {}";
    const r = await signalled(['-j1', '--joblog', 'log', job, ':::', 'a', 'b', 'c'], ['SIGTERM'], env);
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('out a\n');
    expect(r.stderr).toBe(
      'weft: SIGTERM received. No new jobs will be started.\n' +
        'weft: Waiting for these 1 jobs to finish. Send SIGTERM to stop now.\n' +
        "weft: sh -c 'touch ready; sleep 1; echo out a' a\n",
    );
    const log = readFileSync(join(r.cwd, 'log'), 'utf8').trim().split('\n');
    expect(log).toHaveLength(2);
    expect(log[1].split('\t').slice(6, 8)).toEqual(['0', '0']);
  });

  it('a second SIGTERM kills the running jobs and their children at once: exit 143', async () => {
    const r = await signalled(['-j2', JOB, ':::', '20', '20', '20'], ['SIGTERM', 'SIGTERM'], env);
    expect(r.code).toBe(143);
    expect(r.afterSignalMs).toBeLessThan(5000);
    expect(r.stderr).toContain('weft: SIGTERM received. No new jobs will be started.\n');
    expect(existsSync(join(r.cwd, 'pid3'))).toBe(false);
    for (const f of ['pid1', 'gc1']) expect(await dies(pidOf(r.cwd, f))).toBe(true);
  });

  it('SIGINT twice (Ctrl-C, Ctrl-C): exit 130, jobs killed', async () => {
    const r = await signalled(['-j4', JOB, ':::', '20'], ['SIGINT', 'SIGINT'], env);
    expect(r.code).toBe(130);
    expect(r.afterSignalMs).toBeLessThan(5000);
    expect(await dies(pidOf(r.cwd, 'gc1'))).toBe(true);
  });

  it('SIGHUP: no new job, the running one finishes, exit 129; a second SIGHUP kills nothing', async () => {
    const job = "sh -c 'touch ready; sleep 1; echo out {}' {}";
    const r = await signalled(['-j1', job, ':::', 'a', 'b'], ['SIGHUP', 'SIGHUP'], env);
    expect(r.code).toBe(129);
    expect(r.stdout).toBe('out a\n');
  });

  it('a first SIGINT while waiting on endless stdin in pipe mode ends the run', async () => {
    // weft's stdin is a pipe nobody closes: the signal must end the reading, not just the jobs.
    const cwd = tempDir();
    const child = spawn(process.execPath, [WEFT, '--pipe', '-N1', "touch ready; cat; echo '<-'"], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.stdin.write('one\n');
    child.stdin.write('two\n');
    await waitFor(join(cwd, 'ready'));
    await sleep(300);
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await closed;
    clearTimeout(killer);
    child.stdin.destroy();
    expect(code).toBe(130);
    expect(stdout).toContain('one\n<-\n');
  });
});
