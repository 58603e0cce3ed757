import { refusal } from './allow.js';
import { fromBase64, showBytes, signed, type JobPayload, type ResultPayload } from './codec.js';
import type { ExecutorPool, SlotPool } from './pools.js';
import { checkSignature } from './sign.js';

/** What every job on a worker shares. */
export interface WorkerContext {
  secret: string;
  /** `--allow` prefixes as words; empty allows any command. */
  allow: string[][];
  /** host:pid, reported with every result and refusal. */
  name: string;
  slots: SlotPool;
  executors: ExecutorPool;
}

/** The parts of a BullMQ job a worker looks at. */
export interface QueuedJob {
  id?: string;
  queueName: string;
  data: unknown;
}

/** A job the worker will not run or report: `refused` is what the producer shows, `reason` the bare why. */
export interface Refused {
  refused: string;
  reason: string;
}

/** Why a job must not run: not signed with our secret, moved to another queue or id, or not allowed. */
function check(ctx: WorkerContext, job: QueuedJob): string | undefined {
  const bad = checkSignature(ctx.secret, 'job', job.data);
  if (bad) return bad;
  const data = job.data as JobPayload;
  if (data.queue !== job.queueName || data.id !== job.id) {
    return `the job was signed as ${data.queue}/${data.id} but found as ${job.queueName}/${String(job.id)}`;
  }
  if (data.v !== 1) return `the job is of format ${String(data.v)}; this worker reads format 1 (upgrade it)`;
  return refusal(data.command, ctx.allow);
}

/**
 * Runs one queued job the way local mode would (same executors, same kill rules) and returns
 * its signed result with the whole output. A job that fails a check is refused without
 * running; so is one whose output outgrows the run's --max-payload (it is stopped).
 */
export async function processJob(
  ctx: WorkerContext,
  job: QueuedJob,
  signal?: AbortSignal,
): Promise<ResultPayload | Refused> {
  const why = check(ctx, job);
  if (why) return { refused: `refused by worker ${ctx.name}: ${why}`, reason: why };
  const data = job.data as JobPayload;
  const executor = ctx.executors.get(job.queueName, data.shell, data.env ?? {});
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let size = 0;
  let overflow = false;
  const stop = new AbortController();
  const keep = (into: Buffer[]) => (b: Buffer) => {
    size += b.length;
    if (size > data.max) {
      overflow = true;
      stop.abort('interrupt');
    } else into.push(b);
  };
  const slot = await ctx.slots.take();
  try {
    const res = await executor.run({
      seq: data.seq,
      slot,
      command: data.command,
      stdin: data.stdin === undefined ? { kind: 'none' } : { kind: 'buffer', data: fromBase64(data.stdin) },
      timeoutMs: data.timeoutMs,
      signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
      onStdout: keep(out),
      onStderr: keep(err),
    });
    if (overflow) {
      const reason = `the job's output passed the run's --max-payload (${showBytes(data.max)})`;
      return { refused: `stopped by worker ${ctx.name}: ${reason}`, reason };
    }
    return signed<ResultPayload>(ctx.secret, 'result', {
      v: 1,
      id: data.id,
      exitCode: res.exitCode,
      signal: res.signal,
      killed: res.killed,
      start: res.start,
      end: res.end,
      stdout: Buffer.concat(out).toString('base64'),
      stderr: Buffer.concat(err).toString('base64'),
      worker: ctx.name,
    });
  } finally {
    ctx.slots.release(slot);
  }
}
