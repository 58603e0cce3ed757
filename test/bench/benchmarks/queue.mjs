// Queue mode (BullMQ on Redis), against its own redis-server on 127.0.0.1:
//  1. tiny jobs (`echo N`): weft --queue with one weft --worker, vs a plain BullMQ
//     producer/worker script (test/bench/bullmq-plain/) with the same concurrency;
//  2. latency-bound jobs (`sleep 0.1`, one exec each) with 1, 2 and 4 workers: the speed-up should be near
//     linear, since the jobs wait rather than compute.
// Workers are started (and warmed up) before the timed producer runs; a sample is the wall
// time of one producer process. Skips cleanly without redis-server.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { command, measureInterleaved, measureRow, ratioRow, skipRow } from '../lib.mjs';
import { REDIS_SERVER, startRedis, startUntil, stopProcess } from '../redis.mjs';

/** Job slots of the tiny-jobs workers, weft's and the plain one. */
const CONCURRENCY = 4;
/**
 * Job slots per worker in the scaling runs: 4 workers × 2 slots of `sleep 0.1` start 80 jobs/s,
 * which a 2-core machine sustains without the CPU (not the queue) becoming the limit.
 */
const SCALE_SLOTS = 2;

export default {
  name: 'queue',
  title: 'Queue mode: tiny jobs vs plain BullMQ; 1/2/4 workers on `sleep 0.1`',
  async run(ctx) {
    if (!REDIS_SERVER) {
      console.log('skipped: no redis-server');
      return [skipRow('queue', 'queue mode', 'no redis-server')];
    }
    const redis = await startRedis();
    const procs = [];
    try {
      return await measure(ctx, redis, procs);
    } finally {
      for (const p of procs) await stopProcess(p, 'SIGKILL');
      await redis.stop();
    }
  },
};

async function measure(ctx, redis, procs) {
  const env = { ...ctx.envs.clean, WEFT_SECRET: randomBytes(16).toString('hex') };
  const plainDir = join(ctx.root, 'test', 'bench', 'bullmq-plain');
  const start = async (c, ready) => {
    const p = await startUntil(c.cmd, c.args, { env: c.env, cwd: c.cwd, ready });
    procs.push(p);
    return p;
  };
  const stop = async (p) => {
    await stopProcess(p);
    procs.splice(procs.indexOf(p), 1);
  };
  const weftWorker = (db, slots = CONCURRENCY) =>
    start(
      ctx.weft(['--worker', redis.url(db), '--concurrency', String(slots)], { label: 'worker', env }),
      ': serving ',
    );
  const rows = [];

  // 1. Tiny jobs: weft's queue mode vs the plain BullMQ scripts, one worker each.
  const n = ctx.opts.queueJobs;
  const file = join(ctx.tmpDir, `queue-${n}.txt`);
  writeFileSync(file, Array.from({ length: n }, (_, i) => `${i + 1}\n`).join(''));
  const weftRun = ctx.weft(['--queue', redis.url(1), 'echo', '::::', file], {
    label: 'weft --queue',
    env,
    display: `node bin/weft.js --queue redis://127.0.0.1:PORT/1 echo :::: FILE  (1 weft --worker, ${CONCURRENCY} slots)`,
  });
  const plainRun = command({
    label: 'plain BullMQ',
    cmd: process.execPath,
    args: [join(plainDir, 'producer.mjs'), redis.url(2), file, 'echo'],
    env,
    cwd: ctx.root,
    display: `node test/bench/bullmq-plain/producer.mjs redis://127.0.0.1:PORT/2 FILE echo  (1 plain worker, ${CONCURRENCY} slots)`,
  });
  await weftWorker(1);
  await start(
    command({
      label: 'plain worker',
      cmd: process.execPath,
      args: [join(plainDir, 'worker.mjs'), redis.url(2), String(CONCURRENCY)],
      env,
      cwd: ctx.root,
    }),
    'plain worker ready',
  );
  for (const c of [weftRun, plainRun]) {
    const r = await ctx.sanity(c);
    const got = r.stdout.split('\n').filter(Boolean).length;
    if (r.code !== 0 || got !== n) ctx.log(`queue: warning: ${c.label} printed ${got} of ${n} lines`);
  }
  ctx.log(`queue: ${n} tiny jobs, ${ctx.opts.rounds} interleaved rounds of weft --queue, plain BullMQ`);
  const tiny = await measureInterleaved([weftRun, plainRun], ctx.opts.rounds, { onRun: ctx.onRun });
  const perSec = new Map();
  for (const c of [weftRun, plainRun]) {
    const row = measureRow('queue', c, tiny.get(c.label), { jobs: n });
    row.jobsPerSec = n / (row.median / 1000);
    row.env = 'unset';
    perSec.set(c.label, row.jobsPerSec);
    rows.push(row);
  }
  rows.push(
    ratioRow('queue', {
      label: 'weft/plain BullMQ throughput',
      definition: `weft --queue jobs/s ÷ plain BullMQ producer+worker jobs/s, ${n} × echo, 1 worker × ${CONCURRENCY} slots each`,
      value: perSec.get('weft --queue') / perSec.get('plain BullMQ'),
      target: { op: '>=', value: 0.8 },
      extra: { headline: true },
    }),
  );
  for (const p of [...procs]) await stop(p);

  // 2. Latency-bound jobs on 1, 2 and 4 workers.
  const m = ctx.opts.scaleJobs;
  const sleeps = join(ctx.tmpDir, `sleep-${m}.txt`);
  writeFileSync(sleeps, Array.from({ length: m }, (_, i) => `${i + 1}\n`).join(''));
  const times = new Map();
  for (const k of [1, 2, 4]) {
    const workers = [];
    for (let i = 0; i < k; i++) workers.push(await weftWorker(3, SCALE_SLOTS));
    // -N0: one job per input line, none of it in the command (a plain `sleep 0.1`, one exec).
    const words = (extra) => ['--queue', redis.url(3), ...extra, '-N0', 'sleep', '0.1', '::::', sleeps];
    const c = ctx.weft(words([]), {
      label: `${k} worker${k > 1 ? 's' : ''}`,
      env,
      display: `node bin/weft.js --queue redis://127.0.0.1:PORT/3 -N0 sleep 0.1 :::: FILE  (${k} × ${SCALE_SLOTS} slots)`,
    });
    // The untimed warm-up writes a joblog: every job must have run, and succeeded.
    const joblog = join(ctx.tmpDir, `sleep-${k}.joblog`);
    const r = await ctx.sanity(ctx.weft(words(['--joblog', joblog]), { label: `${c.label} (check)`, env }));
    const ok = readFileSync(joblog, 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.split('\t')[6] === '0').length;
    if (r.code !== 0 || ok !== m) ctx.log(`queue: warning: ${c.label} ran ${ok} of ${m} jobs successfully`);
    ctx.log(`queue: ${m} × sleep 0.1 on ${k} worker(s), ${ctx.opts.rounds} rounds`);
    const res = await measureInterleaved([c], ctx.opts.rounds, { onRun: ctx.onRun });
    const row = measureRow('queue', c, res.get(c.label), { jobs: m, workers: k });
    row.jobsPerSec = m / (row.median / 1000);
    row.env = 'unset';
    times.set(k, row.median);
    rows.push(row);
    for (const w of workers) await stop(w);
  }
  // The floor: what all the sleeps take with perfect spreading and no overhead at all.
  for (const k of [2, 4]) {
    rows.push(
      ratioRow('queue', {
        label: `speed-up, ${k} workers`,
        definition: `median time on 1 worker ÷ on ${k} (${m} × sleep 0.1, ${SCALE_SLOTS} slots per worker; linear = ${k})`,
        value: times.get(1) / times.get(k),
        target: { op: '>=', value: 0.8 * k },
        extra: { headline: true, idealMs: Math.ceil(m / (k * SCALE_SLOTS)) * 100 },
      }),
    );
  }
  return rows;
}
