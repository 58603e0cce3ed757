import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir, weft, WEFT } from './helpers.js';

const joblogCols = (cwd: string, ...cols: number[]) =>
  readFileSync(join(cwd, 'log'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => cols.map((c) => r.split('\t')[c]).join(' '));

// The job's niceness: field 19 of /proc/self/stat (awk's own, inherited from the job).
const NICENESS = "awk '{print $19}' /proc/self/stat";

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('--nice and --termseq (%s)', (_name, env: Record<string, string>) => {
  it('--nice N runs every job at niceness N (GNU: absolute), also in pipe mode', async () => {
    const r = await weft(['-j2', '--nice', '7', `${NICENESS} # {}`, ':::', 'a', 'b'], { env });
    expect(r.stdout).toBe('7\n7\n');
    const p = await weft(['--pipe', '--nice', '11', NICENESS], { env, stdin: 'x\n' });
    expect(p.stdout).toBe('11\n');
    const plain = await weft([`${NICENESS} # {}`, ':::', 'a'], { env });
    expect(plain.stdout).toBe(`${readFileSync('/proc/self/stat', 'utf8').split(' ')[18]}\n`);
  });

  it('--termseq decides the signal a timed-out job gets; the joblog records it', async () => {
    const cwd = tempDir();
    const r = await weft(
      ['--joblog', 'log', '--timeout', '0.3', '--termseq', 'INT,2000', 'sleep {}', ':::', '5'],
      {
        cwd,
        env,
      },
    );
    expect(r.code).toBe(1);
    expect(joblogCols(cwd, 6, 7)).toEqual(['-1 2']);
  });

  it("a job that ignores TERM is KILLed after GNU's default sequence (TERM×3 within 350 ms)", async () => {
    const cwd = tempDir();
    const r = await weft(['--joblog', 'log', '--timeout', '0.3', `trap '' TERM; sleep {}`, ':::', '8'], {
      cwd,
      env,
    });
    expect(r.code).toBe(1);
    expect(joblogCols(cwd, 6, 7)).toEqual(['-1 9']);
    expect(r.ms).toBeLessThan(6000);
    const runtime = Number(joblogCols(cwd, 3)[0]);
    expect(runtime).toBeGreaterThanOrEqual(0.6);
    expect(runtime).toBeLessThan(3);
  });
});

/** Runs weft until `ready` exists in its cwd, then sends one SIGTERM; resolves with the result. */
async function stoppedOnce(args: string[]) {
  const cwd = tempDir();
  const child = spawn(process.execPath, [WEFT, ...args], {
    cwd,
    env: { ...process.env, TMPDIR: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (const end = Date.now() + 15_000; !existsSync(join(cwd, 'ready')) && Date.now() < end;) await sleep(20);
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await closed;
  clearTimeout(killer);
  return { code, stdout, cwd };
}

describe('a signal during aggregation', () => {
  it('--reduce: the jobs that run finish, but a partial answer is never printed (exit 143)', async () => {
    const r = await stoppedOnce([
      '-j1',
      '--reduce',
      'sort',
      'touch ready; sleep 0.5; echo {}',
      ':::',
      'b',
      'a',
      'c',
    ]);
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('');
  });

  it('--aggregate sum and --map/--reduce: no answer, no temporary files left', async () => {
    const sum = await stoppedOnce([
      '-j1',
      '--aggregate',
      'sum',
      'touch ready; sleep 0.5; echo {}',
      ':::',
      '1',
      '2',
    ]);
    expect(sum).toMatchObject({ code: 143, stdout: '' });
    const mr = await stoppedOnce([
      '-j1',
      '--map',
      'touch ready; sleep 0.5; printf "k\\t{}\\n"',
      '--reduce',
      'cat',
      ':::',
      '1',
      '2',
    ]);
    expect(mr).toMatchObject({ code: 143, stdout: '' });
    const shuffle = join(mr.cwd, 'weft-shuffle');
    expect(existsSync(shuffle) ? readdirSync(shuffle) : []).toEqual([]);
  });
});

describe('bad --termseq and --nice', () => {
  it.each([
    [['--termseq', 'FOO,100'], "--termseq: 'FOO,100' has no signal 'FOO'"],
    [['--termseq', 'TERM,soon'], "--termseq: 'TERM,soon' has 'soon' where a wait in milliseconds belongs"],
    [['--nice', '50'], "--nice: '50' is not a niceness from -20 to 19"],
    [['--nice', 'x'], "--nice: 'x' is not a niceness from -20 to 19"],
  ])('%j is refused', async (args, msg) => {
    const r = await weft([...args, 'echo', ':::', 'a']);
    expect(r.code).toBe(255);
    expect(r.stderr).toContain(`weft: ${msg}`);
  });
});
