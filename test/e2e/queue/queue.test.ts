// Queue mode end to end: a real redis-server, real `weft --worker` processes, the producer
// through bin/weft.js. Each test uses its own Redis database so their workers do not mix.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, tempDir, weft } from '../helpers.js';
import { SECRET, spawnWeft, startRedis, startWorker, until, type Proc, type RedisServer } from './cluster.js';

let redis: RedisServer;
const clients: Redis[] = [];
const env = { WEFT_SECRET: SECRET };

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

const client = (db: number) => {
  const c = new Redis({ port: redis.port, host: '127.0.0.1', db, lazyConnect: true });
  clients.push(c);
  return c;
};

/** weft's keys left in a database: none after a run that finished. */
const leftovers = async (db: number) => (await client(db).keys('weft:*')).sort();

describe('weft --queue with two workers', () => {
  let workers: Proc[];
  beforeAll(async () => {
    workers = await Promise.all([
      startWorker(redis.url(0), ['--concurrency', '2']),
      startWorker(redis.url(0), ['--concurrency', '2']),
    ]);
  });
  afterAll(async () => {
    for (const w of workers) expect(await w.stop()).toBe(0);
  });

  it('prints what the local run prints: order, tags, exit status, joblog', async () => {
    const args = [
      '-k',
      '--tag',
      'echo {}; echo err-{} >&2; exit $(( {} % 4 == 0 ))',
      ':::',
      ...'1 2 3 4 5 6 7 8 9 10 11 12'.split(' '),
    ];
    const dir = tempDir();
    const local = await weft(['--joblog', 'local.log', ...args], { cwd: dir });
    const queued = await weft(['--queue', redis.url(0), '--joblog', 'queued.log', ...args], {
      cwd: dir,
      env,
    });
    expect(queued.stderr).toBe(local.stderr);
    expect(queued.stdout).toBe(local.stdout);
    expect(queued.code).toBe(3);
    expect(local.code).toBe(3);
    const rows = (f: string) =>
      lines(readFileSync(join(dir, f), 'utf8'))
        .slice(1)
        .map((r) => r.split('\t'))
        .map((c) => [c[0], c[6], c[8]].join(' '))
        .sort();
    expect(rows('queued.log')).toEqual(rows('local.log'));
    expect(await leftovers(0)).toEqual([]);
  });

  it('sends pipe-mode chunks and folds their outputs as local mode does', async () => {
    const input = Array.from({ length: 5000 }, (_, i) => `${i + 1}`).join('\n') + '\n';
    const args = ['--pipe', '--block', '2k', '--aggregate', 'sum', "awk '{s+=$1} END {print s}'"];
    const local = await weft(args, { stdin: input });
    const queued = await weft(['--queue', redis.url(0), ...args], { stdin: input, env });
    expect(local.stdout).toBe('12502500\n');
    expect(queued.stdout).toBe(local.stdout);
    expect(queued.code).toBe(0);
  });

  it('runs two runs at once on the same workers, each with its own output', async () => {
    const [a, b] = await Promise.all(
      ['A', 'B'].map((tag) =>
        weft(['--queue', redis.url(0), '-k', `echo ${tag}{}`, ':::', '1', '2', '3', '4', '5', '6'], { env }),
      ),
    );
    expect(a).toMatchObject({ code: 0, stdout: 'A1\nA2\nA3\nA4\nA5\nA6\n' });
    expect(b).toMatchObject({ code: 0, stdout: 'B1\nB2\nB3\nB4\nB5\nB6\n' });
  });

  it('--halt now also stops the jobs running on workers', async () => {
    const dir = tempDir();
    const r = await weft(
      [
        '--queue',
        redis.url(0),
        '--halt',
        'now,fail=1',
        'sh -c {}',
        ':::',
        `sleep 2; touch ${dir}/late`,
        'sleep 0.2; exit 1',
      ],
      { env },
    );
    expect(r.code).toBe(1);
    await new Promise((done) => setTimeout(done, 3000));
    expect(existsSync(join(dir, 'late'))).toBe(false);
  });

  it('refuses a chunk above --max-payload before it reaches Redis', async () => {
    const input = 'x'.repeat(100) + '\n';
    const r = await weft(
      ['--queue', redis.url(0), '--pipe', '--block', '4k', '--max-payload', '1K', 'wc', '-c'],
      {
        stdin: input.repeat(100),
        env,
      },
    );
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(
      /^weft: job 1: its chunk is \d\.\d KiB, above --max-payload 1\.0 KiB; cut smaller chunks/,
    );
    expect(await leftovers(0)).toEqual([]);
  });

  it('reports jobs signed with another secret as refused, and runs none of them', async () => {
    const dir = tempDir();
    const r = await weft(['--queue', redis.url(0), `touch ${dir}/ran-{}`, ':::', 'a', 'b'], {
      env: { WEFT_SECRET: 'not-the-workers-secret' },
    });
    expect(r.code).toBe(2);
    expect(lines(r.stderr).sort()).toEqual([
      expect.stringMatching(/^weft: job 1: refused by worker .*: the job's signature does not match/),
      expect.stringMatching(/^weft: job 2: refused by worker .*: the job's signature does not match/),
    ]);
    expect(existsSync(join(dir, 'ran-a')) || existsSync(join(dir, 'ran-b'))).toBe(false);
    expect(workers.map((w) => w.stderr()).join('')).toMatch(
      /refused job 1-1 of run [0-9a-f]{16}: the job's signature/,
    );
  });
});

describe('security and limits', () => {
  it('a job changed in Redis after it was signed is refused, and the other jobs run (no worker yet: a hint)', async () => {
    const dir = tempDir();
    // No worker yet: the jobs wait in Redis while the test rewrites one.
    const producer = spawnWeft([
      '--queue',
      redis.url(1),
      '-k',
      `echo {}; touch ${dir}/ran-{}`,
      ':::',
      'a',
      'b',
      'c',
    ]);
    const db = client(1);
    let key = '';
    await until(async () => {
      key = (await db.keys('weft:run-*:2-1'))[0] ?? '';
      return key !== '' && (await db.hget(key, 'data')) !== null;
    }, 'the jobs to be queued');
    const data = JSON.parse((await db.hget(key, 'data'))!);
    data.command = `echo pwned; touch ${dir}/pwned`;
    await db.hset(key, 'data', JSON.stringify(data));
    // A producer nobody serves says how to start a worker (after 10 s).
    await until(() => producer.stderr().includes('no worker has taken a job'), 'the no-worker hint', 30_000);
    expect(producer.stderr()).toMatch(
      /^weft: no worker has taken a job of run [0-9a-f]{16} yet; start some with: weft --worker redis:\/\/127\.0\.0\.1:\d+\/1 \(same WEFT_SECRET\)$/m,
    );
    const worker = await startWorker(redis.url(1));
    expect(await producer.exited).toBe(1);
    expect(producer.stdout()).toBe('a\nc\n');
    expect(producer.stderr()).toMatch(
      /^weft: job 2: refused by worker [^:]+:\d+: the job's signature does not match/m,
    );
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'ran-b'))).toBe(false);
    expect(existsSync(join(dir, 'ran-a'))).toBe(true);
    expect(await worker.stop()).toBe(0);
  });

  it('a worker with --allow runs only plain commands that start with an allowed prefix', async () => {
    const dir = tempDir();
    const worker = await startWorker(redis.url(2), ['--allow', 'echo', '--allow', 'wc -l']);
    const r2 = await weft(['--queue', redis.url(2), `echo {}; touch ${dir}/pwned`, ':::', 'x'], { env });
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/weft: job 1: refused by worker .*is not a plain command/);
    const r3 = await weft(['--queue', redis.url(2), '-k', 'echo', ':::', 'allowed'], { env });
    expect(r3).toMatchObject({ code: 0, stdout: 'allowed\n' });
    const r4 = await weft(['--queue', redis.url(2), 'wc', '-c', ':::', 'f'], { env });
    expect(r4.code).toBe(1);
    expect(r4.stderr).toMatch(/does not start with an allowed prefix \(echo, wc -l\)/);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(await worker.stop()).toBe(0);
  });

  it('a worker stopped with SIGTERM finishes the job it runs, then exits 0', async () => {
    const dir = tempDir();
    const worker = await startWorker(redis.url(3));
    const producer = spawnWeft([
      '--queue',
      redis.url(3),
      `touch ${dir}/started; sleep 1; echo finished-{}`,
      ':::',
      'x',
    ]);
    await until(() => existsSync(join(dir, 'started')), 'the job to start');
    expect(await worker.stop('SIGTERM')).toBe(0);
    expect(worker.stderr()).toMatch(/stopping: finishing the jobs in progress\n.*stopped\n$/);
    expect(await producer.exited).toBe(0);
    expect(producer.stdout()).toBe('finished-x\n');
  });

  it('needs WEFT_SECRET, a redis:// URL and a reachable server', async () => {
    const noSecret = { WEFT_SECRET: '' };
    for (const args of [
      ['--queue', redis.url(4), 'echo', ':::', 'a'],
      ['--worker', redis.url(4)],
    ]) {
      const r = await weft(args, { env: noSecret });
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/needs the shared secret in WEFT_SECRET/);
    }
    const bad = await weft(['--queue', 'http://127.0.0.1:1', 'echo', ':::', 'a'], { env });
    expect(bad).toMatchObject({
      code: 255,
      stderr: expect.stringMatching(/must start with redis:\/\/ or rediss:\/\//),
    });
    const down = await weft(['--queue', 'redis://127.0.0.1:1/0', 'echo', ':::', 'a'], { env });
    expect(down).toMatchObject({
      code: 255,
      stderr: 'weft: cannot reach redis://127.0.0.1:1/0: connect ECONNREFUSED 127.0.0.1:1\n',
    });
    const mixed = await weft(['--worker', redis.url(4), '-j', '4'], { env });
    expect(mixed.stderr).toMatch(
      /--worker takes only --concurrency, --allow and --stall-timeout \(not --jobs\)/,
    );
    const stray = await weft(['--concurrency', '2', 'echo', ':::', 'a'], { env });
    expect(stray.stderr).toBe('weft: --concurrency only applies with --worker URL\n');
  });
});
