import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { tempDir, weft, WEFT } from './helpers.js';

/** `seq 1 n` as text. */
const seq = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

/** Spill folders weft left in `tmp`. */
const spills = (tmp: string) => readdirSync(tmp).filter((d) => d.startsWith('weft-spill-'));

/** Bytes in weft's spill files under `tmp` now. */
function spilledBytes(tmp: string): number {
  let n = 0;
  for (const d of spills(tmp)) {
    try {
      for (const f of readdirSync(join(tmp, d))) n += statSync(join(tmp, d, f)).size;
    } catch {
      // removed meanwhile
    }
  }
  return n;
}

// Later jobs end first, so their output is held behind job 1: past 1 KiB it goes to files.
const JOBS = ['0.8 3000', '0.5 5000', '0.2 2000', '0 8000'];
const EXPECTED = seq(3000) + seq(5000) + seq(2000) + seq(8000);

describe.each([
  ['default dispatch', {}],
  ['WEFT_DISPATCH=spawn', { WEFT_DISPATCH: 'spawn' }],
])('held output past the spill threshold (%s)', (_name, dispatch: Record<string, string>) => {
  const run = async (args: string[]) => {
    const tmp = tempDir();
    const r = await weft(['-j4', '--colsep', ' ', ...args, ':::', ...JOBS], {
      env: { ...dispatch, TMPDIR: tmp, WEFT_SPILL_THRESHOLD: '1K' },
    });
    return { ...r, tmp };
  };

  it('-k prints every job whole and in input order, and removes its files', async () => {
    const r = await run(['-k', 'sleep {1}; seq {2}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(EXPECTED);
    expect(spills(r.tmp)).toEqual([]);
  });

  it('-k --tag prefixes every spilled line', async () => {
    const r = await run(['-k', '--tagstring', 'job{#}', 'sleep {1}; seq {2}']);
    expect(r.code).toBe(0);
    const want = JOBS.map((j, i) => seq(Number(j.split(' ')[1])).replace(/^(?=.)/gm, `job${i + 1}\t`)).join(
      '',
    );
    expect(r.stdout).toBe(want);
    expect(spills(r.tmp)).toEqual([]);
  });

  it('-k --line-buffer keeps order and whole lines', async () => {
    const r = await run(['-k', '--line-buffer', 'sleep {1}; seq {2}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(EXPECTED);
  });

  it('grouped output without -k stays whole per job', async () => {
    const r = await run(['sleep {1}; seq {2}']);
    expect(r.code).toBe(0);
    const blocks = [8000, 2000, 5000, 3000].map(seq);
    expect(r.stdout.length).toBe(EXPECTED.length);
    // Each job's block appears whole (in the order the jobs ended).
    for (const b of blocks) expect(r.stdout).toContain(b);
  });
});

describe('spill files after a signal', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s twice leaves no weft-spill folder behind', async (sig) => {
    const tmp = tempDir();
    const child = spawn(
      process.execPath,
      [WEFT, '-k', '-j2', ':::', 'sleep 30; echo first', 'seq 1 200000; sleep 30'],
      {
        cwd: tmp,
        env: { ...process.env, TMPDIR: tmp, WEFT_SPILL_THRESHOLD: '64K' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = 0;
    child.stdout.on('data', (b: Buffer) => (out += b.length));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Job 2 prints 1.3 MB held behind job 1; all but 64 KiB of it goes to a spill file.
    for (const end = Date.now() + 20_000; spilledBytes(tmp) < 1_000_000 && Date.now() < end;) await sleep(50);
    expect(spilledBytes(tmp)).toBeGreaterThanOrEqual(1_000_000);
    // A first signal lets the jobs finish; the second kills them.
    child.kill(sig);
    await sleep(300);
    child.kill(sig);
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await closed;
    clearTimeout(killer);
    expect(code).toBe(sig === 'SIGTERM' ? 143 : 130);
    expect(out).toBe(0); // both jobs were killed: nothing of theirs is printed
    expect(spills(tmp)).toEqual([]);
  });
});
