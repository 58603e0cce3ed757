import { describe, expect, it } from 'vitest';
import type { WeftEvent } from '../../../src/events/types.js';
import { buildReport } from '../../../src/report/build.js';
import { ReportCollector } from '../../../src/report/collect.js';
import { renderHtml } from '../../../src/report/html.js';

const T0 = 1_800_000_000_000;
const runId = 'r';

describe('a report of a -j auto run', () => {
  it('takes the peak limit as its slot count and lists each change', () => {
    const change = (t: number, previous: number, limit: number, reason: 'ramp' | 'no-gain'): WeftEvent => ({
      type: 'concurrency_changed',
      runId,
      t,
      previous,
      limit,
      reason,
    });
    const c = new ReportCollector();
    for (const e of [
      { type: 'run_started', runId, t: 0, jobs: 2, maxJobs: 256, startedAt: T0 } as WeftEvent,
      change(100, 2, 4, 'ramp'),
      change(200, 4, 8, 'ramp'),
      change(300, 8, 4, 'no-gain'),
    ])
      c.listener(e);
    const r = buildReport(c, { now: T0 + 1000 });
    expect(r.stats.slots).toBe(8);
    expect(r.concurrency).toEqual([
      { t: 100, limit: 4, reason: 'ramp' },
      { t: 200, limit: 8, reason: 'ramp' },
      { t: 300, limit: 4, reason: 'no-gain' },
    ]);
    expect(renderHtml(r)).toContain('<div class="v">8</div><div class="k">peak slots (-j auto)</div>');
  });

  it('has no concurrency list with a fixed -j', () => {
    const c = new ReportCollector();
    c.listener({ type: 'run_started', runId, t: 0, jobs: 3, startedAt: T0 });
    const r = buildReport(c, { now: T0 + 10 });
    expect(r.concurrency).toBeUndefined();
    expect(r.stats.slots).toBe(3);
  });
});
