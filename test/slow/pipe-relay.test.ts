import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { shell, tempDir } from '../e2e/helpers.js';

/** Live processes whose environment names `pid` as PARALLEL_PID (jobs, the copier). */
const children = (pid: number) =>
  readdirSync('/proc').filter((p) => {
    try {
      return (
        /^\d+$/.test(p) &&
        readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(`PARALLEL_PID=${pid}`)
      );
    } catch {
      return false;
    }
  });

// The relay (src/chunk/relay) streams a chunk to its job as the job reads it. A job that reads
// slowly then holds up the input: after one such chunk the rest is cut in memory, so slow jobs
// still run side by side. Timed against the in-memory path in the same test, not a constant.

const LINE = `${'x'.repeat(99)}\n`;

describe('--pipe relay with jobs that read slowly', () => {
  it('runs them side by side, about as fast as chunks cut in memory', async () => {
    // 8 chunks of 4M (more than a pipe holds), -j2, each job sleeping 1 s before it reads.
    const dir = tempDir({ 'in.log': LINE.repeat(330_000) });
    const line = (mode: string) =>
      `cat in.log | WEFT_PIPE_RELAY=${mode} weft -j2 -k --pipe --block 4M 'sleep 1; wc -l'`;
    const off = await shell(line('off'), dir, { exec: true });
    const relay = await shell(line('auto'), dir, { exec: true });
    expect(relay.code).toBe(0);
    expect(relay.stdout).toBe(off.stdout);
    expect(relay.stdout.trim().split('\n').length).toBe(8);
    // In memory: 4 rounds of 2 jobs, about 4 s. Relaying every chunk would take one round per
    // chunk (8 s and more); after the first slow chunk the rest is cut in memory.
    expect(relay.ms).toBeLessThan(off.ms + 2_500);
  });
});

describe('--pipe relay when weft is killed', () => {
  it('SIGKILL mid-run: the orphan guard ends the jobs and the copier', async () => {
    const dir = tempDir();
    const run = shell(
      `yes 0123456789 | weft -j2 --pipe --block 4M 'sleep 30; wc -l' & echo $! > pid; wait $!`,
      dir,
      // A SIGKILLed weft cannot remove its named pipes' folder: it goes with the test's.
      { exec: true, timeoutMs: 60_000, env: { TMPDIR: dir } },
    );
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++, await sleep(100)) {
      try {
        pid = Number(readFileSync(join(dir, 'pid'), 'utf8')) || 0;
      } catch {
        // not yet
      }
    }
    // Two jobs and the copier running.
    for (let i = 0; i < 100 && children(pid).length < 3; i++) await sleep(100);
    expect(children(pid).length).toBeGreaterThanOrEqual(3);
    process.kill(pid, 'SIGKILL');
    expect((await run).code).toBe(137);
    for (let i = 0; i < 50 && children(pid).length; i++) await sleep(100);
    expect(children(pid)).toEqual([]);
  });
});
