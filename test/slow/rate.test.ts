import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, weft } from '../e2e/helpers.js';
import { ofType, readEvents } from '../e2e/scheduling/events.js';

describe('--rate over 10 seconds', () => {
  it('starts trivial jobs within 5% of the limit, never above the bucket', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    // 201 jobs at 20/s with a burst of 1: 200 intervals of 50 ms, 10 s.
    const args = Array.from({ length: 201 }, (_, i) => String(i));
    const r = await weft(['-j4', '--rate', '20/s', '--events', events, 'true', ':::', ...args], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    const t = ofType(readEvents(events), 'job_started').map((e) => e.t);
    expect(t).toHaveLength(201);
    const perSecond = ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
    console.log(
      `--rate 20/s: measured ${perSecond.toFixed(3)} starts/s over ${((t.at(-1)! - t[0]) / 1000).toFixed(2)} s`,
    );
    expect(Math.abs(perSecond - 20) / 20).toBeLessThan(0.05);
    // The bucket's bound: never more than 1 + ½ + 20/s × span starts in a span (2 ms for clocks).
    for (let i = 0; i < t.length; i++)
      for (let j = i + 1; j < t.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(1.5 + (t[j] - t[i] + 2) / 50);
    // So in any second, at most 21 starts (the one at its start, then one per 50 ms).
    for (const start of t)
      expect(t.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(21);
  });
});
