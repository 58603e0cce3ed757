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

/** Starts weft, waits until `ready` exists in its cwd, sends `sig`, returns status and timing. */
async function signalled(args: string[], sig: NodeJS.Signals, env: Record<string, string>) {
  const cwd = tempDir();
  const child = spawn(process.execPath, [WEFT, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (const end = Date.now() + 10_000; !existsSync(join(cwd, 'ready')) && Date.now() < end;) await sleep(20);
  const sentAt = Date.now();
  child.kill(sig);
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await closed;
  clearTimeout(killer);
  return { code, afterSignalMs: Date.now() - sentAt, cwd, stdout };
}

// A job that marks itself started, records its pid and a grandchild's, then sleeps.
const JOB = "sh -c 'sleep 20 & echo $! > gc{#}; echo $$ > pid{#}; touch ready; sleep 20; wait' {}";

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('signals to weft (%s)', (_name, env: Record<string, string>) => {
  it('SIGTERM with jobs still waiting: exit 143, no new job, running job group killed', async () => {
    const r = await signalled(['-j1', JOB, ':::', 'a', 'b', 'c'], 'SIGTERM', env);
    expect(r.code).toBe(143);
    expect(r.afterSignalMs).toBeLessThan(5000);
    expect(existsSync(join(r.cwd, 'pid2'))).toBe(false);
    expect(await dies(Number(readFileSync(join(r.cwd, 'pid1'), 'utf8')))).toBe(true);
    expect(await dies(Number(readFileSync(join(r.cwd, 'gc1'), 'utf8')))).toBe(true);
  });

  it('SIGINT with jobs still waiting: exit 130', async () => {
    const r = await signalled(['-j1', JOB, ':::', 'a', 'b'], 'SIGINT', env);
    expect(r.code).toBe(130);
    expect(r.afterSignalMs).toBeLessThan(5000);
  });

  // The help text: "130/143 after SIGINT/SIGTERM". Once every job has started and a slot is
  // free, weft must still end the running jobs (they run in their own process groups, so the
  // terminal's Ctrl-C does not reach them).
  it('SIGINT after every job has started (free slots): exit 130, jobs killed', async () => {
    const r = await signalled(['-j4', JOB, ':::', 'a'], 'SIGINT', env);
    expect(r.code).toBe(130);
    expect(r.afterSignalMs).toBeLessThan(5000);
    expect(await dies(Number(readFileSync(join(r.cwd, 'gc1'), 'utf8')))).toBe(true);
  });

  it('SIGTERM during the last job after earlier ones finished: exit 143', async () => {
    const r = await signalled(
      ['-j2', `[ {} = a ] && touch done-a || ${JOB}`, ':::', 'a', 'b'],
      'SIGTERM',
      env,
    );
    expect(r.code).toBe(143);
    expect(r.afterSignalMs).toBeLessThan(5000);
  });
});
