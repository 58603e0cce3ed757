import type { OutputCollector } from '../collect/output.js';
import type { EventBus } from '../events/bus.js';
import type { ExecResult, Executor } from '../exec/types.js';
import type { Gate } from './gate.js';
import type { RetryPolicy } from './retry.js';
import type { JobHooks, PlannedJob } from './scheduler.js';

/** What one job's attempts need from the scheduler around them. */
export interface JobContext {
  executor: Executor;
  collector: OutputCollector;
  bus: EventBus;
  hooks: JobHooks;
  retry: RetryPolicy;
  gates: readonly Gate[];
  /** Aborted to kill running jobs (halt now, second signal, an error). */
  kill: AbortSignal;
  /** Aborted when nothing new may start (a first signal): a pending retry is dropped. */
  stop: AbortSignal;
  timeoutMs(): number | undefined;
}

/** How a job ended after its last attempt; `stopped` jobs were killed by weft. */
export interface JobOutcome {
  command: string;
  result: ExecResult;
  attempts: number;
  stopped: boolean;
  durationMs: number;
  busyMs: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs one job on `slot` until it succeeds, is stopped, or runs out of attempts. Output
 * goes to the collector (or is kept for `hooks.done`); every attempt is an event.
 */
export async function runJob(
  job: PlannedJob,
  slot: number,
  command: string,
  ctx: JobContext,
): Promise<JobOutcome> {
  const { bus, hooks, collector } = ctx;
  const sink = collector.start(job.seq, hooks.tag(job, slot));
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const keep = hooks.done !== undefined;
  const show = !keep || hooks.alsoPrint === true;
  let busyMs = 0;
  for (let attempt = 1; ; attempt++) {
    out.length = 0;
    err.length = 0;
    let outBytes = 0;
    let errBytes = 0;
    bus.emit({ type: 'job_started', seq: job.seq, slot, attempt, command });
    const res = await ctx.executor.run({
      seq: job.seq,
      slot,
      command,
      args: job.args,
      stdin: job.stdin,
      timeoutMs: ctx.timeoutMs(),
      signal: ctx.kill,
      onStdout: (b) => {
        outBytes += b.length;
        if (keep) out.push(b);
        if (show) sink.onStdout(b);
      },
      onStderr: (b) => {
        errBytes += b.length;
        if (keep) err.push(b);
        if (show) sink.onStderr(b);
      },
    });
    const failed = res.exitCode !== 0 || res.signal !== 0;
    const stopped = res.killed === 'halt' || res.killed === 'interrupt';
    // After a first signal no new attempt starts: a job that would be retried is stopped.
    const retry = failed && !stopped && !ctx.kill.aborted && ctx.retry.retry(res, attempt);
    const final = !retry;
    const durationMs = res.end - res.start;
    busyMs += durationMs;
    for (const g of ctx.gates) g.finished?.(job, res, final || ctx.stop.aborted);
    bus.emit({
      type: 'job_finished',
      seq: job.seq,
      slot,
      attempt,
      final,
      command,
      args: job.args,
      exitCode: res.exitCode,
      signal: res.signal,
      killed: res.killed,
      start: res.start,
      durationMs,
      stdoutBytes: outBytes,
      stderrBytes: errBytes,
    });
    if (retry && !ctx.stop.aborted) {
      collector.retry(job.seq);
      const delayMs = ctx.retry.delayMs(attempt);
      bus.emit({
        type: 'job_retry',
        seq: job.seq,
        attempt,
        exitCode: res.exitCode,
        signal: res.signal,
        delayMs,
      });
      await pause(delayMs, ctx.stop);
      if (!ctx.stop.aborted) continue;
      // A signal during the wait: the job ends here; its gates hear so once more.
      for (const g of ctx.gates) g.finished?.(job, res, true);
    }
    if (stopped || retry) {
      // GNU drops a job it killed: no output, no joblog row; --resume runs it again.
      collector.discard(job.seq);
      return { command, result: res, attempts: attempt, stopped: true, durationMs, busyMs };
    }
    hooks.done?.(job, res, out, err);
    collector.finish(job.seq);
    return { command, result: res, attempts: attempt, stopped: false, durationMs, busyMs };
  }
}
