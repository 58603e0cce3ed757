import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, tempDir, weft } from '../e2e/helpers.js';

interface Finished {
  type: string;
  seq: number;
  start: number;
  durationMs: number;
}

/** Makespan (first job start to last job end, ms) and start order, from a run's events. */
async function measure(order: string[]): Promise<{ makespan: number; starts: number[] }> {
  const dir = tempDir();
  // Adversarial for input order: six short jobs, then the long one last.
  const durations = ['0.2', '0.2', '0.2', '0.2', '0.2', '0.2', '3'];
  const r = await weft(['-j2', ...order, '--events', 'ev.ndjson', 'sleep', ':::', ...durations], {
    cwd: dir,
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(0);
  const events = lines(readFileSync(join(dir, 'ev.ndjson'), 'utf8')).map((l) => JSON.parse(l) as Finished);
  const done = events.filter((e) => e.type === 'job_finished');
  expect(done).toHaveLength(7);
  const first = Math.min(...done.map((e) => e.start));
  const last = Math.max(...done.map((e) => e.start + e.durationMs));
  const starts = events.filter((e) => e.type === 'job_started').map((e) => e.seq);
  return { makespan: last - first, starts };
}

describe('longest job first', () => {
  it('shortens the makespan when the long job comes last in the input', async () => {
    const input = await measure([]);
    const lpt = await measure(['--order', 'lpt', '--cost', '{}']);
    // Input order cannot start the 3 s job before two slots ran three 0.2 s jobs each.
    expect(input.makespan).toBeGreaterThanOrEqual(3600);
    expect(input.starts.at(-1)).toBe(7);
    // LPT starts it at once; the other slot runs the six short ones meanwhile (1.2 s).
    expect(lpt.starts[0]).toBe(7);
    expect(lpt.makespan).toBeGreaterThanOrEqual(3000);
    // The ideal gain is 0.6 s; allow half of it for process start-up on a loaded machine.
    expect(lpt.makespan).toBeLessThanOrEqual(input.makespan - 300);
  });
});
