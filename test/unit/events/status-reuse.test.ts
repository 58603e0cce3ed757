import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatStatus, readStatus } from '../../../src/cli/status.js';
import { RunTally } from '../../../src/events/tally.js';
import type { WeftEvent } from '../../../src/events/types.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-status-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const runId = 'r1';
const G = 1024 ** 3;
const reused = (seq: number, reason: 'cache' | 'dedupe', exitCode = 0): WeftEvent => ({
  type: 'job_skipped',
  runId,
  t: 10 + seq,
  seq,
  reason,
  command: 'c',
  args: [],
  exitCode,
  signal: 0,
  key: 'k',
  ...(reason === 'dedupe' ? { of: 1 } : {}),
});

describe('reused results and --memfree holds in the tally and --status', () => {
  const events: WeftEvent[] = [
    { type: 'run_started', runId, t: 0, jobs: 2, startedAt: 1_800_000_000_000, total: 5 },
    reused(1, 'cache'),
    reused(2, 'cache'),
    reused(3, 'dedupe', 4),
    { type: 'job_failed', runId, t: 14, seq: 3, exitCode: 4, signal: 0, command: 'c' },
    { type: 'jobs_held', runId, t: 1000, reason: 'memfree', freeBytes: 1.5 * G, limitBytes: 2 * G },
  ];

  it('counts reused jobs as done, by outcome', () => {
    const t = new RunTally();
    for (const e of events) t.apply(e);
    expect({
      done: t.done,
      cached: t.cached,
      deduped: t.deduped,
      succeeded: t.succeeded,
      failed: t.failed,
    }).toEqual({
      done: 3,
      cached: 2,
      deduped: 1,
      succeeded: 2,
      failed: 1,
    });
    expect(t.held).toEqual({ t: 1000, freeBytes: 1.5 * G, limitBytes: 2 * G });
    t.apply({ type: 'jobs_released', runId, t: 1500, reason: 'memfree', freeBytes: 3 * G, heldMs: 500 });
    expect(t.held).toBeUndefined();
  });

  it('--status says what was reused and why jobs wait', () => {
    const path = join(dir, 'ev.ndjson');
    writeFileSync(path, events.map((e) => JSON.stringify(e) + '\n').join(''));
    const s = readStatus(path, 1_800_000_000_000 + 36_000);
    expect(formatStatus(s)).toBe(
      [
        'state: running (36s elapsed)',
        'run: r1',
        'done: 3/5 (60%)',
        'failed: 1',
        'running: 0',
        'reused: 2 from the cache, 1 duplicates',
        'held: free memory 1.5G < --memfree 2G (35s)',
        'eta: ?',
        '',
      ].join('\n'),
    );
  });
});
