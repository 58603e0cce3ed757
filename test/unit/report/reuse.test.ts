import { describe, expect, it } from 'vitest';
import type { WeftEvent } from '../../../src/events/types.js';
import { buildReport } from '../../../src/report/build.js';
import { ReportCollector } from '../../../src/report/collect.js';
import { renderHtml } from '../../../src/report/html.js';

const T0 = 1_800_000_000_000;
const runId = 'r';

describe('a report of a run with reused results', () => {
  const skipped = (seq: number, reason: 'cache' | 'dedupe', exitCode: number): WeftEvent => ({
    type: 'job_skipped',
    runId,
    t: 5,
    seq,
    reason,
    command: `fetch ${seq}`,
    args: [String(seq)],
    exitCode,
    signal: 0,
    key: 'k',
  });
  const events: WeftEvent[] = [
    { type: 'run_started', runId, t: 0, jobs: 2, startedAt: T0 },
    skipped(1, 'cache', 0),
    skipped(2, 'dedupe', 0),
    skipped(3, 'dedupe', 7),
    { type: 'job_failed', runId, t: 6, seq: 3, exitCode: 7, signal: 0, command: 'fetch 3' },
  ];

  it('counts them, lists a failed duplicate with its input, and shows cards', () => {
    const c = new ReportCollector();
    for (const e of events) c.listener(e);
    const r = buildReport(c, { now: T0 + 100 });
    expect(r.summary).toMatchObject({ jobs: 0, succeeded: 2, failed: 1, cached: 1, deduped: 2 });
    expect(r.failures).toMatchObject([{ seq: 3, exitCode: 7, attempts: 0, args: ['3'], command: 'fetch 3' }]);
    expect(r.timeline).toEqual([]);
    const html = renderHtml(r);
    expect(html).toContain('<div class="v">1</div><div class="k">from the cache</div>');
    expect(html).toContain('<div class="v">2</div><div class="k">duplicates (--dedupe)</div>');
  });
});
