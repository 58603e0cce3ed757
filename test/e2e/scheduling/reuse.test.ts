import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, weft } from '../helpers.js';
import { ofType, readEvents } from './events.js';

/** A job with stdout, stderr, a partial last line and bytes that are not UTF-8. */
const JOB = `printf 'out %s\\n' {}; printf 'err %s\\n' {} >&2; printf 'tail\\377'`;

describe('--dedupe', () => {
  it('runs identical jobs once; every duplicate prints the output (exact counts from events)', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    const r = await weft(
      [
        '--dedupe',
        '-j3',
        '-k',
        '--tag',
        '--events',
        events,
        'sleep 0.2; echo {}',
        ':::',
        'a',
        'b',
        'a',
        'c',
        'a',
        'b',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a\ta\nb\tb\na\ta\nc\tc\na\ta\nb\tb\n');
    const ev = readEvents(events);
    expect(
      ofType(ev, 'job_started')
        .map((e) => e.seq)
        .sort(),
    ).toEqual([1, 2, 4]);
    expect(ofType(ev, 'job_skipped').map((e) => [e.seq, e.reason, 'of' in e ? e.of : undefined])).toEqual([
      [3, 'dedupe', 1],
      [5, 'dedupe', 1],
      [6, 'dedupe', 2],
    ]);
    expect(ofType(ev, 'run_finished')[0].summary).toMatchObject({
      jobs: 3,
      succeeded: 6,
      deduped: 3,
      cached: 0,
    });
    const status = await weft(['--status', events]);
    expect(status.stdout).toContain('done: 6/6 (100%)\n');
    expect(status.stdout).toContain('reused: 0 from the cache, 3 duplicates\n');
  });

  it('a duplicate of a failed job fails too, and counts in the exit status', async () => {
    const r = await weft(['--dedupe', 'echo {}; exit 2', ':::', 'x', 'x', 'x']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('x\nx\nx\n');
  });

  it('stdin is part of the input: identical pipe chunks run once', async () => {
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    const r = await weft(['--pipe', '-N', '2', '--dedupe', '-k', '--events', events, 'md5sum'], {
      cwd: dir,
      stdin: 'a\nb\nc\nd\na\nb\n',
    });
    expect(r.code).toBe(0);
    const sums = r.stdout.split('\n').filter(Boolean);
    expect(sums).toHaveLength(3);
    expect(sums[2]).toBe(sums[0]);
    expect(ofType(readEvents(events), 'job_started')).toHaveLength(2);
  });

  it('--dedupe-window: a result older than the window is not reused', async () => {
    // -j1: the third job is read after the 0.4 s job ends, when a's result is older than 100 ms.
    const dir = tempDir();
    const events = join(dir, 'ev.ndjson');
    const r = await weft(
      [
        '-j1',
        '-k',
        '--dedupe-window',
        '100ms',
        '--events',
        events,
        'test {} = b && sleep 0.4; echo {}',
        ':::',
        'a',
        'b',
        'a',
      ],
      { cwd: dir },
    );
    expect(r.stdout).toBe('a\nb\na\n');
    expect(ofType(readEvents(events), 'job_started')).toHaveLength(3);
    const whole = await weft([
      '-j1',
      '-k',
      '--dedupe',
      'test {} = b && sleep 0.4; echo {}',
      ':::',
      'a',
      'b',
      'a',
    ]);
    expect(whole.stdout).toBe('a\nb\na\n');
  });
});

describe('--cache DIR', () => {
  it('a second run runs nothing and replays stdout and stderr byte for byte', async () => {
    const dir = tempDir();
    const args = ['-k', '--tag', '--cache', 'c', JOB, ':::', 'a', 'b', 'c d'];
    const first = await weft(['--events', 'e1.ndjson', ...args], { cwd: dir });
    expect(first.code).toBe(0);
    expect(ofType(readEvents(join(dir, 'e1.ndjson')), 'job_started')).toHaveLength(3);
    const second = await weft(['--events', 'e2.ndjson', '--report', 'r.json', ...args], { cwd: dir });
    expect(second.code).toBe(0);
    expect(Buffer.from(second.stdout)).toEqual(Buffer.from(first.stdout));
    expect(second.stderr).toBe(first.stderr);
    expect(second.stdout).toContain('c d\tout c d\n');
    const ev = readEvents(join(dir, 'e2.ndjson'));
    expect(ofType(ev, 'job_started')).toEqual([]);
    expect(ofType(ev, 'job_skipped').map((e) => e.reason)).toEqual(['cache', 'cache', 'cache']);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { summary: object };
    expect(report.summary).toMatchObject({ jobs: 0, succeeded: 3, cached: 3 });
    expect(readdirSync(join(dir, 'c'))).toContain('CACHEDIR.TAG');
  });

  it('replays exactly as a run would: output bytes, --results files', async () => {
    const dir = tempDir();
    const job = `printf 'x%s\\0\\377' {}`;
    const args = ['--cache', 'c', '--results', 'res', job, ':::', '1', '2'];
    const first = await weft(args, { cwd: dir });
    const files = () =>
      ['1', '2'].map((v) => readFileSync(join(dir, 'res', '1', v, 'stdout')).toString('hex')).join(' ');
    const before = files();
    expect(before).toBe('7831' + '00ff 7832' + '00ff');
    const second = await weft(['--events', 'e.ndjson', ...args], { cwd: dir });
    expect(second.code).toBe(0);
    expect(files()).toBe(before);
    expect(ofType(readEvents(join(dir, 'e.ndjson')), 'job_started')).toEqual([]);
    expect(first.code).toBe(0);
  });

  it('stores successes only: a failed job runs again', async () => {
    const dir = tempDir();
    const args = ['--cache', 'c', 'echo {}; test {} = ok', ':::', 'ok', 'bad'];
    expect((await weft(args, { cwd: dir })).code).toBe(1);
    const second = await weft(['--events', 'e.ndjson', ...args], { cwd: dir });
    expect(second.code).toBe(1);
    const ev = readEvents(join(dir, 'e.ndjson'));
    expect(ofType(ev, 'job_started').map((e) => e.command)).toEqual(['echo bad; test bad = ok']);
    expect(ofType(ev, 'job_skipped').map((e) => e.seq)).toEqual([1]);
  });

  it('--cache-ttl: an entry older than the TTL runs again', async () => {
    const dir = tempDir();
    const args = ['--cache', 'c', 'echo {}', ':::', 'a', 'b'];
    await weft(args, { cwd: dir });
    await new Promise((r) => setTimeout(r, 300));
    const fresh = await weft(['--cache-ttl', '1h', '--events', 'e1.ndjson', ...args], { cwd: dir });
    expect(ofType(readEvents(join(dir, 'e1.ndjson')), 'job_skipped')).toHaveLength(2);
    const stale = await weft(['--cache-ttl', '200ms', '--events', 'e2.ndjson', ...args], { cwd: dir });
    expect(ofType(readEvents(join(dir, 'e2.ndjson')), 'job_started')).toHaveLength(2);
    expect(fresh.stdout.split('\n').sort()).toEqual(stale.stdout.split('\n').sort());
  });

  it('--cache-env: a changed variable is a different key', async () => {
    const dir = tempDir();
    const run = async (api: string, n: number) => {
      const r = await weft(
        ['--cache', 'c', '--cache-env', 'API', '--events', `e${n}.ndjson`, 'echo $API {}', ':::', 'a'],
        {
          cwd: dir,
          env: { API: api },
        },
      );
      return { out: r.stdout, started: ofType(readEvents(join(dir, `e${n}.ndjson`)), 'job_started').length };
    };
    expect(await run('v1', 1)).toEqual({ out: 'v1 a\n', started: 1 });
    expect(await run('v2', 2)).toEqual({ out: 'v2 a\n', started: 1 });
    expect(await run('v1', 3)).toEqual({ out: 'v1 a\n', started: 0 });
    // Without --cache-env the variable is not part of the key: v1's output comes back.
    const r = await weft(['--cache', 'c', 'echo $API {}', ':::', 'a'], { cwd: dir, env: { API: 'v3' } });
    expect(r.stdout).toBe('v3 a\n');
    const again = await weft(['--cache', 'c', 'echo $API {}', ':::', 'a'], { cwd: dir, env: { API: 'v4' } });
    expect(again.stdout).toBe('v3 a\n');
  });

  it('says so when DIR cannot be a directory', async () => {
    const dir = tempDir({ f: '' });
    const r = await weft(['--cache', 'f/sub', 'echo', ':::', 'a'], { cwd: dir });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^weft: --cache: cannot use 'f\/sub': /);
  });
});
