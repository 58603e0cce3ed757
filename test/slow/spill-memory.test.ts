import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir, WEFT } from '../e2e/helpers.js';

const GIB = 1024 ** 3;

/** Peak resident set size of `pid` so far, in bytes (VmHWM), or 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs weft with `args`, counting its stdout without keeping it and checking it against
 * `check`, while polling its peak RSS. Returns the status, the byte count and the peak.
 */
async function measured(
  args: string[],
  env: Record<string, string>,
  check: (chunk: Buffer, at: number) => void,
) {
  const child = spawn(process.execPath, [WEFT, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let bytes = 0;
  let stderr = '';
  let peak = 0;
  child.stdout.on('data', (b: Buffer) => {
    check(b, bytes);
    bytes += b.length;
  });
  child.stderr.on('data', (b: Buffer) => (stderr += b));
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 50);
  // The last reading as weft ends its output, before it exits.
  child.stdout.on('end', () => (peak = Math.max(peak, peakRss(child.pid!))));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  return { code, bytes, peak, stderr };
}

describe('bounded memory for held output', () => {
  it('-k holds 1 GiB behind a slower job with peak RSS under 150 MB, every byte in order', async () => {
    const tmp = tempDir();
    // Job 2 writes 1 GiB of "y\n" while job 1 still sleeps: -k must hold all of it.
    const head = Buffer.from('first\n');
    const pattern = Buffer.from('y\n'.repeat(1 << 16));
    let bad = 0;
    const r = await measured(
      ['-k', '-j2', ':::', 'sleep 3; echo first', 'yes | head -c 1G'],
      { TMPDIR: tmp },
      (chunk, at) => {
        let i = 0;
        for (; at + i < head.length && i < chunk.length; i++) if (chunk[i] !== head[at + i]) bad++;
        // From there on, 'y' at even offsets after the head, '\n' at odd ones.
        for (let off = i; off < chunk.length; off += pattern.length - 2) {
          const phase = (at + off - head.length) % 2;
          const n = Math.min(chunk.length - off, pattern.length - 2);
          if (!chunk.subarray(off, off + n).equals(pattern.subarray(phase, phase + n))) bad++;
        }
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.bytes).toBe(GIB + head.length);
    expect(bad).toBe(0);
    expect(r.peak).toBeGreaterThan(0);
    expect(r.peak).toBeLessThan(150 * 1024 * 1024);
    expect(readdirSync(tmp).filter((d) => d.startsWith('weft-spill-'))).toEqual([]);
  });
});
