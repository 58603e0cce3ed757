// Queue mode under faults: a worker SIGKILLed mid-job, a producer SIGKILLed (or stopped) and
// resumed. The output must still hold every job exactly once, in order.
import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../e2e/helpers.js';
import { spawnWeft, startRedis, startWorker, until, type RedisServer } from '../e2e/queue/cluster.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** A job that leaves a file per start (so reruns can be counted), takes a while, and prints its seq. */
const job = (dir: string, secs: number) => `touch ${dir}/start.{}.$$; sleep ${secs}; echo {}`;
const starts = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('start.'));
const seqs = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
const expected = (n: number) => seqs(n).join('\n') + '\n';

async function weftKeys(db: number): Promise<string[]> {
  const c = new Redis({ host: '127.0.0.1', port: redis.port, db });
  try {
    return await c.keys('weft:*');
  } finally {
    c.disconnect();
  }
}

describe('queue mode under faults', () => {
  it('a worker SIGKILLed mid-job: its jobs are recovered by the others, every result exactly once', async () => {
    const dir = tempDir();
    const stall = ['--concurrency', '3', '--stall-timeout', '2s'];
    const doomed = await startWorker(redis.url(0), stall);
    const producer = spawnWeft(['--queue', redis.url(0), '-k', job(dir, 1), ':::', ...seqs(20)]);
    await until(() => starts(dir).length >= 1, 'the first job to start');
    expect(await doomed.stop('SIGKILL')).toBeNull();
    const killedAt = starts(dir).length;
    await Promise.all([startWorker(redis.url(0), stall), startWorker(redis.url(0), stall)]);
    expect(await producer.exited).toBe(0);
    expect(producer.stdout()).toBe(expected(20));
    // The killed worker's jobs started again elsewhere: more starts than jobs.
    expect(killedAt).toBeGreaterThanOrEqual(1);
    expect(starts(dir).length).toBeGreaterThan(20);
    for (const s of seqs(20))
      expect(
        starts(dir).some((f) => f.startsWith(`start.${s}.`)),
        s,
      ).toBe(true);
    await until(async () => (await weftKeys(0)).length === 0, 'the run to leave nothing in Redis', 10_000);
  });

  it('a producer SIGKILLed mid-run: --resume reattaches, collects what is done and finishes the run', async () => {
    const dir = tempDir();
    await Promise.all([
      startWorker(redis.url(1), ['--concurrency', '2']),
      startWorker(redis.url(1), ['--concurrency', '2']),
    ]);
    const args = ['--queue', redis.url(1), '-k', '-j', '4', job(dir, 0.5), ':::', ...seqs(16)];
    const first = spawnWeft(args, { cwd: dir });
    await until(() => first.stdout().split('\n').length > 3, 'some results');
    expect(await first.stop('SIGKILL')).toBeNull();
    const second = spawnWeft(['--resume', ...args], { cwd: dir });
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toBe(expected(16));
    // Nothing ran twice: what the first producer had queued was collected, not queued again.
    expect(starts(dir).length).toBe(16);
    expect(await weftKeys(1)).toEqual([]);
  });

  it('a producer stopped with SIGTERM leaves the run on the queue for --resume', async () => {
    const dir = tempDir();
    await startWorker(redis.url(2), ['--concurrency', '2']);
    const args = ['--queue', redis.url(2), '-k', '-j', '2', job(dir, 0.3), ':::', ...seqs(8)];
    const first = spawnWeft(args, { cwd: dir });
    await until(() => first.stdout().includes('2\n'), 'some results');
    expect(await first.stop('SIGTERM')).toBe(143);
    expect(first.stderr()).toMatch(
      /^weft: run [0-9a-f]{16} stays on redis:\/\/127\.0\.0\.1:\d+\/2; the same command with --resume finishes it\n$/,
    );
    expect(await weftKeys(2)).toContain('weft:runs');
    const second = spawnWeft(['--resume', ...args], { cwd: dir });
    expect(await second.exited).toBe(0);
    expect(second.stdout()).toBe(expected(8));
    expect(starts(dir).length).toBe(8);
    // Without --resume the same command starts over, saying so, rather than mixing runs.
    const stopped = spawnWeft(args, { cwd: dir });
    await until(() => stopped.stdout().includes('1\n'), 'a result');
    expect(await stopped.stop('SIGTERM')).toBe(143);
    const fresh = spawnWeft(args, { cwd: dir });
    expect(await fresh.exited).toBe(0);
    expect(fresh.stdout()).toBe(expected(8));
    expect(fresh.stderr()).toMatch(
      /^weft: discarding the unfinished run [0-9a-f]{16} on redis:\S+ \(--resume would finish it instead\)\n$/,
    );
  });
});
