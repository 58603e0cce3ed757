import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../../src/chunk/formats/partition.js';
import { tempDir, weft, WEFT } from '../helpers.js';
import { concurrencyByKey, ofType, readEvents } from './events.js';

describe('--key TEMPLATE --max-per-key N', () => {
  it('never runs more than N jobs of one key at once (checked from the events)', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    const r = await weft(
      [
        ...['-j8', '--key', '{1}', '--max-per-key', '2', '--events', events],
        ...['sleep 0.3; echo {1} {2}', ':::', 'h1', 'h2', 'h3', ':::', '1', '2', '3', '4', '5'],
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(15);
    const ev = readEvents(events);
    const perHost = concurrencyByKey(ev, (c) => c.split(' ')[3]);
    expect([...perHost.keys()].sort()).toEqual(['h1', 'h2', 'h3']);
    for (const [host, max] of perHost) expect(max, host).toBe(2);
    // Other hosts were not held behind a busy one: more than 2 jobs ran at once.
    const overall = concurrencyByKey(ev, () => 'all').get('all')!;
    expect(overall).toBeGreaterThan(2);
    expect(overall).toBeLessThanOrEqual(6);
  });

  it('takes {name} columns with --header', async () => {
    const dir = tempDir({ 'hosts.tsv': 'host\tn\na\t1\nb\t2\na\t3\na\t4\nb\t5\n' });
    const events = join(dir, 'ev.ndjson');
    const r = await weft(
      [
        ...['-j4', '--header', ':', '--colsep', '\t', '--key', '{host}', '--max-per-key', '1'],
        ...['--events', events, '-a', 'hosts.tsv', 'sleep 0.2; echo {host} {n}'],
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const perHost = concurrencyByKey(readEvents(events), (c) => c.split(' ')[3]);
    expect(Object.fromEntries(perHost)).toEqual({ a: 1, b: 1 });
  });

  it('with --format and --key FIELD, caps jobs per key partition', async () => {
    // Hosts in two different partitions (16 by default), three records each, a chunk per record.
    const hosts = ['alpha', 'beta', 'gamma', 'delta'];
    const [x, y] = hosts.filter(
      (h, i) => hosts.findIndex((o) => partitionOf(o, 16) === partitionOf(h, 16)) === i,
    );
    const lines = [x, y, x, y, x, y].map((h, i) => JSON.stringify({ host: h, i }) + '\n').join('');
    const dir = tempDir({ 'in.ndjson': lines });
    const log = join(dir, 'log');
    const job = `read l; echo "start $l" >> ${log}; sleep 0.3; echo "end $l" >> ${log}`;
    const r = await weft(
      [
        '-j6',
        '--format',
        'ndjson',
        '--records',
        '1',
        '--key',
        'host',
        '--max-per-key',
        '1',
        '-a',
        'in.ndjson',
        job,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const now = new Map<string, number>();
    const max = new Map<string, number>();
    let all = 0;
    let maxAll = 0;
    for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
      const host = (JSON.parse(line.slice(line.indexOf(' ') + 1)) as { host: string }).host;
      const d = line.startsWith('start') ? 1 : -1;
      now.set(host, (now.get(host) ?? 0) + d);
      max.set(host, Math.max(max.get(host) ?? 0, now.get(host)!));
      all += d;
      maxAll = Math.max(maxAll, all);
    }
    expect(Object.fromEntries(max)).toEqual({ [x]: 1, [y]: 1 });
    expect(maxAll).toBe(2);
  });

  it('says what is wrong when combined wrongly', async () => {
    const r = await weft(['--max-per-key', '2', 'echo', ':::', 'a']);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(
      'weft: --max-per-key needs --key: a job key template ({1}, {host}) for argument jobs, or a field with --format\n',
    );
    const t = await weft(['--key', '{host}', '--max-per-key', '2', 'echo', ':::', 'a']);
    expect(t.stderr).toBe("weft: --key '{host}' names no argument or column (for {name}, give --header :)\n");
    expect(t.code).toBe(255);
  });
});

describe('--rate N/s', () => {
  it('holds job starts to the rate after the burst (from job_started times)', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    const args = Array.from({ length: 9 }, (_, i) => String(i));
    const r = await weft(
      ['-j4', '--rate', '10/s', '--burst', '3', '--events', events, 'true', ':::', ...args],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    const t = ofType(readEvents(events), 'job_started').map((e) => e.t);
    expect(t).toHaveLength(9);
    // The token bucket's bound: at most 3 + ½ + 10/s × span starts in any span (2 ms for clocks).
    for (let i = 0; i < t.length; i++)
      for (let j = i + 1; j < t.length; j++)
        expect(j - i + 1).toBeLessThanOrEqual(3.5 + (t[j] - t[i] + 2) / 100);
    // Six starts after the burst take at least 600 ms, less the half token of catch-up.
    expect(t[8] - t[0]).toBeGreaterThanOrEqual(548);
  });

  it('takes N/m and refuses a rate that is not one', async () => {
    const r = await weft(['--rate', '600/m', 'echo', ':::', 'a', 'b']);
    expect(r.code).toBe(0);
    const bad = await weft(['--rate', '5/d', 'echo', ':::', 'a']);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe("weft: --rate: '5/d' is not a rate above 0 (e.g. 10/s, 100/m, 5000/h)\n");
  });
});

describe('--memfree SIZE', () => {
  it('runs jobs when that much memory is free', async () => {
    const r = await weft(['--memfree', '1k', '-k', 'echo', ':::', 'a', 'b']);
    expect(r).toMatchObject({ code: 0, stdout: 'a\nb\n' });
  });

  it('holds every job while free memory is below SIZE, and says why', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    // Free memory is always below the machine's total: nothing may start.
    const child = spawn(
      process.execPath,
      [WEFT, '--memfree', String(totalmem()), '--events', events, 'echo', 'ran', ':::', 'a', 'b'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const noticed = new Promise<void>((resolve) =>
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (stderr.includes('new jobs wait')) resolve();
      }),
    );
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    await noticed;
    // Still holding a while later.
    await new Promise((r) => setTimeout(r, 600));
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^weft: free memory \S+ is below --memfree \S+: new jobs wait\nweft: SIGINT received\. No new jobs will be started\.\n$/,
    );
    const ev = readEvents(events);
    expect(ofType(ev, 'job_started')).toEqual([]);
    expect(ofType(ev, 'jobs_held')).toMatchObject([{ reason: 'memfree', limitBytes: totalmem() }]);
    expect(ofType(ev, 'run_finished')[0].summary).toMatchObject({ jobs: 0, interrupted: 'SIGINT' });
  });

  it('refuses a size no machine here could free', async () => {
    const r = await weft(['--memfree', '1P', 'echo', ':::', 'a']);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(
      /^weft: --memfree 1P is more than this machine's memory \(\S+\): no job could start\n$/,
    );
  });
});
