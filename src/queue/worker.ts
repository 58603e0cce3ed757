import { once } from 'node:events';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import type { Worker } from 'bullmq';
import { parseAllow } from './allow.js';
import {
  connectControl,
  loadBullmq,
  lockKey,
  PREFIX,
  queueName,
  redisOptions,
  RUNS_CHANNEL,
  RUNS_KEY,
} from './connect.js';
import { ExecutorPool, SlotPool } from './pools.js';
import { processJob, type WorkerContext } from './process-job.js';
import { HEARTBEAT_MS } from './registry.js';
import { requireSecret } from './sign.js';
import { parseQueueUrl } from './url.js';

/** How often a worker reads the run registry (a new run also wakes it at once, by pub/sub). */
const POLL_MS = 1000;
/** A run whose producer has not been heard from for this long, and whose queue is empty, is left alone. */
const STALE_MS = 15 * HEARTBEAT_MS;
/** How often a worker looks at the queue of a run whose producer has gone quiet. */
const STALE_CHECK_MS = 10_000;
/** A job whose worker died this many times is failed instead of tried again. */
const MAX_STALLS = 3;

/**
 * Removes what a worker's stalled-job check may write after its producer cleared a finished
 * run (BullMQ's meta hash and check marker) — only while no producer holds or lists the run.
 */
const TIDY = `if redis.call('zscore', KEYS[1], ARGV[1]) or redis.call('exists', KEYS[2]) == 1 then return 0 end
return redis.call('del', KEYS[3], KEYS[4])`;

/** `weft --worker URL` and its options. */
export interface WorkerOptions {
  url: string;
  concurrency: number;
  /** `--allow` prefixes. */
  allow: string[];
  /** BullMQ's lockDuration: a job whose worker stops renewing its lock this long goes back to the queue. */
  stallTimeoutMs: number;
  env: NodeJS.ProcessEnv;
  stderr: Writable;
  /** Aborted on SIGTERM/SIGINT: take no new job, finish the running ones, exit. */
  signal?: AbortSignal;
}

interface Served {
  worker: Worker;
  /** Jobs of this run running here now. */
  busy: number;
}

/**
 * A worker process: serves every run listed in the registry with a BullMQ Worker on its queue,
 * sharing --concurrency slots among them, and runs each job through local mode's executors
 * (processJob). Ends after a signal, once the jobs in progress are done. Returns the exit status.
 */
export async function runWorker(o: WorkerOptions): Promise<number> {
  const secret = requireSecret(o.env, '--worker');
  const loc = parseQueueUrl(o.url, '--worker');
  const ctx: WorkerContext = {
    secret,
    allow: parseAllow(o.allow),
    name: `${hostname()}:${process.pid}`,
    slots: new SlotPool(o.concurrency),
    executors: new ExecutorPool(o.env),
  };
  const client = await connectControl(loc);
  const sub = client.duplicate();
  const { Worker, UnrecoverableError } = await loadBullmq();
  const served = new Map<string, Served>();
  /** Runs found stale and empty, by the heartbeat they had then: not looked at again until it moves. */
  const dormant = new Map<string, number>();
  const log = (line: string) => o.stderr.write(`weft worker ${ctx.name}: ${line}\n`);
  let lastError = '';
  const onError = (err: Error) => {
    if (err.message !== lastError) log(`redis: ${err.message}`);
    lastError = err.message;
  };

  const serve = (runId: string): void => {
    const entry: Served = { worker: undefined as unknown as Worker, busy: 0 };
    entry.worker = new Worker(
      queueName(runId),
      async (job, _token, signal) => {
        entry.busy++;
        try {
          const res = await processJob(ctx, job, signal);
          if ('refused' in res) {
            log(`refused job ${String(job.id)} of run ${runId}: ${res.reason}`);
            throw new UnrecoverableError(res.refused);
          }
          return res;
        } finally {
          entry.busy--;
        }
      },
      {
        connection: redisOptions(loc),
        prefix: PREFIX,
        name: ctx.name,
        concurrency: o.concurrency,
        lockDuration: o.stallTimeoutMs,
        stalledInterval: Math.max(250, Math.round(o.stallTimeoutMs / 2)),
        maxStalledCount: MAX_STALLS,
      },
    );
    entry.worker.on('error', onError);
    served.set(runId, entry);
  };

  const unserve = async (runId: string, cancel: boolean): Promise<void> => {
    const entry = served.get(runId);
    if (!entry) return;
    served.delete(runId);
    // A finished (or halted) run wants nothing more: its jobs still running here are stopped.
    if (cancel) entry.worker.cancelAllJobs('the run ended');
    await entry.worker.close().catch(onError);
    await ctx.executors.close(queueName(runId));
    if (cancel) {
      const keys = [
        RUNS_KEY,
        lockKey(runId),
        ...['meta', 'stalled-check'].map((k) => `${PREFIX}:${queueName(runId)}:${k}`),
      ];
      await client.eval(TIDY, keys.length, ...keys, runId).catch(onError);
    }
  };

  const checked = new Map<string, number>();
  /** True when a run's queue has nothing left for a worker to do (looked at every STALE_CHECK_MS at most). */
  const drained = async (runId: string): Promise<boolean> => {
    if (Date.now() - (checked.get(runId) ?? 0) < STALE_CHECK_MS) return false;
    checked.set(runId, Date.now());
    const { Queue } = await loadBullmq();
    const q = new Queue(queueName(runId), { connection: redisOptions(loc), prefix: PREFIX });
    q.on('error', onError);
    try {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0);
    } finally {
      await q.close();
    }
  };

  const refresh = async (): Promise<void> => {
    const flat = (await client.zrange(RUNS_KEY, '0', '-1', 'WITHSCORES')) as string[];
    const runs = new Map<string, number>();
    for (let i = 0; i < flat.length; i += 2) runs.set(flat[i], Number(flat[i + 1]));
    for (const runId of served.keys()) if (!runs.has(runId)) await unserve(runId, true);
    for (const [runId, beat] of runs) {
      const stale = Date.now() - beat > STALE_MS;
      const entry = served.get(runId);
      if (entry) {
        // A killed producer's run, drained: stop holding connections for it (a --resume relists it).
        if (stale && entry.busy === 0 && (await drained(runId))) {
          dormant.set(runId, beat);
          await unserve(runId, false);
        }
      } else if (dormant.get(runId) !== beat && !(stale && (await drained(runId)))) {
        dormant.delete(runId);
        serve(runId);
      } else dormant.set(runId, beat);
    }
    // Several runs at once share the slots; SlotPool keeps the total at --concurrency.
    const share = Math.max(1, Math.floor(o.concurrency / Math.max(1, served.size)));
    for (const { worker } of served.values()) if (worker.concurrency !== share) worker.concurrency = share;
  };

  let chain = Promise.resolve();
  const poke = () => {
    chain = chain.then(refresh).catch(onError);
  };
  sub.on('error', onError);
  client.on('error', onError);
  sub.on('message', poke);
  await sub.subscribe(RUNS_CHANNEL);
  poke();
  const timer = setInterval(poke, POLL_MS);
  log(
    `serving ${loc.display} with ${o.concurrency} slot(s)${o.allow.length ? ', --allow ' + o.allow.join(', ') : ''}`,
  );

  if (o.signal && !o.signal.aborted) await once(o.signal, 'abort');
  else if (!o.signal) await new Promise(() => {});
  log('stopping: finishing the jobs in progress');
  clearInterval(timer);
  sub.disconnect();
  await chain;
  await Promise.all([...served.keys()].map((runId) => unserve(runId, false)));
  await ctx.executors.close();
  client.disconnect();
  log('stopped');
  return 0;
}
