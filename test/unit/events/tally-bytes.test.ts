import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunTally } from '../../../src/events/tally.js';
import type { WeftEvent } from '../../../src/events/types.js';

const base = { runId: 'r', t: 0 };
const finished = (seq: number): WeftEvent => ({
  ...base,
  type: 'job_finished',
  seq,
  slot: 1,
  attempt: 1,
  final: true,
  command: 'wc -l',
  args: [],
  exitCode: 0,
  signal: 0,
  start: 0,
  durationMs: 10,
  stdoutBytes: 2,
  stderrBytes: 0,
});

describe('progress by bytes in pipe mode (file size known, job count not)', () => {
  it('percent and ETA follow the bytes of the chunks whose jobs are done', () => {
    const t = new RunTally();
    t.apply({ ...base, type: 'run_started', jobs: 2, startedAt: 0, totalBytes: 1000 });
    expect(t.percent()).toBe(0);
    t.apply({ ...base, type: 'chunk_ready', seq: 1, bytes: 250 });
    t.apply({ ...base, type: 'chunk_ready', seq: 2, bytes: 250 });
    t.apply(finished(2));
    expect(t.percent()).toBe(25);
    // 250 bytes took 1 s: 750 left → 3 s.
    expect(t.etaSeconds(1000)).toBe(3);
    t.apply({ ...base, type: 'chunk_ready', seq: 3, bytes: 500 });
    t.apply(finished(1));
    t.apply(finished(3));
    expect(t.percent()).toBe(100);
    expect(t.etaSeconds(4000)).toBe(0);
  });

  it('without a file size there is no percentage (a counter only)', () => {
    const t = new RunTally();
    t.apply({ ...base, type: 'run_started', jobs: 2, startedAt: 0 });
    t.apply({ ...base, type: 'chunk_ready', seq: 1, bytes: 10 });
    t.apply(finished(1));
    expect(t.percent()).toBeUndefined();
    expect(t.etaSeconds(1000)).toBeUndefined();
  });

  it('the CLI emits chunk_ready per chunk and the input size in run_started', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'weft-bytes-'));
    const input = join(dir, 'in.txt');
    writeFileSync(input, Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join(''));
    const events = join(dir, 'ev.ndjson');
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin/weft.js'), '--pipe', '--block', '8k', '-k', '--events', events, 'wc', '-l'],
      { input: readFileSync(input), encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const evs = readFileSync(events, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as WeftEvent);
    const chunks = evs.filter((e) => e.type === 'chunk_ready');
    const sum = chunks.reduce((n, e) => n + (e.type === 'chunk_ready' ? e.bytes : 0), 0);
    expect(sum).toBe(readFileSync(input).length);
    expect(chunks.length).toBe(r.stdout.trim().split('\n').length);
    // stdin was a pipe here, not a file: no size to measure by.
    expect(evs[0]).toMatchObject({ type: 'run_started' });
    expect((evs[0] as { totalBytes?: number }).totalBytes).toBeUndefined();
  });
});
