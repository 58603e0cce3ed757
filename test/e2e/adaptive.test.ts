import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { defaultSpec, run, type WeftEvent } from '../../src/index.js';
import { lines, tempDir, weft } from './helpers.js';

const REASONS = ['ramp', 'probe', 'no-gain', 'latency', 'restore', 'failures', 'load', 'memory'];

function events(dir: string): WeftEvent[] {
  return lines(readFileSync(join(dir, 'ev.ndjson'), 'utf8')).map((l) => JSON.parse(l) as WeftEvent);
}

const count = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describe('-j auto', () => {
  it('starts at 2, opens slots beyond them, and tells each change', async () => {
    const dir = tempDir();
    // Jobs that only wait: throughput doubles with the slots, so slow start keeps doubling.
    const r = await weft(
      [
        '-j',
        'auto',
        '--max-jobs',
        '8',
        '--events',
        'ev.ndjson',
        'sleep 0.3; echo $PARALLEL_JOBSLOT {%}',
        ':::',
        ...count(40),
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const ev = events(dir);
    expect(ev[0]).toMatchObject({ type: 'run_started', jobs: 2, maxJobs: 8 });
    const changes = ev.filter((e) => e.type === 'concurrency_changed');
    expect(changes.length).toBeGreaterThan(0);
    expect(changes[0]).toMatchObject({ previous: 2, limit: 4, reason: 'ramp' });
    for (const c of changes) {
      expect(REASONS).toContain(c.reason);
      expect(c.limit).toBeLessThanOrEqual(8);
    }
    // Slots above the first two ran jobs, and each job saw its own slot.
    const slots = ev.filter((e) => e.type === 'job_started').map((e) => e.slot);
    expect(Math.max(...slots)).toBeGreaterThan(2);
    expect(Math.max(...slots)).toBeLessThanOrEqual(8);
    for (const l of lines(r.stdout)) {
      const [env, slot] = l.split(' ');
      expect(env).toBe(slot);
    }
    expect(lines(r.stdout)).toHaveLength(40);
  });

  it('is a spec field too, with its cap', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'job.yaml'), 'command: echo\nconcurrency:\n  jobs: auto\n  max-jobs: 3\n');
    const printed = await weft(['--spec', 'job.yaml', '--print-spec'], { cwd: dir });
    expect(printed.stdout).toContain('jobs: auto');
    const r = await weft(['--spec', 'job.yaml', '--events', 'ev.ndjson', ':::', ...count(5)], { cwd: dir });
    expect(r.code).toBe(0);
    expect(events(dir)[0]).toMatchObject({ type: 'run_started', jobs: 2, maxJobs: 3 });
  });

  it('works through the library: jobs: "auto"', async () => {
    const seen: WeftEvent[] = [];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (b: Buffer) => chunks.push(b));
    const summary = await run(
      defaultSpec({
        command: ['sleep 0.2; echo {}'],
        input: { sources: [{ kind: 'values', values: count(16) }] } as never,
        jobs: 'auto',
        maxJobs: 4,
      }),
      { stdin: Readable.from([]), stdout: out, stderr: new PassThrough(), onEvent: (e) => seen.push(e) },
    );
    expect(summary).toMatchObject({ jobs: 16, succeeded: 16, exitCode: 0 });
    expect(Buffer.concat(chunks).toString().split('\n').filter(Boolean).sort()).toEqual(count(16).sort());
    expect(seen.find((e) => e.type === 'concurrency_changed')).toMatchObject({ previous: 2, limit: 4 });
  });

  it('refuses --max-jobs without -j auto', async () => {
    const r = await weft(['-j', '4', '--max-jobs', '8', 'echo', ':::', 'a']);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe('weft: --max-jobs only applies with -j auto\n');
  });
});
