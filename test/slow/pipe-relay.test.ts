import { describe, expect, it } from 'vitest';
import { shell, tempDir } from '../e2e/helpers.js';

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
