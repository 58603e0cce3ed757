import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputCollector } from '../collect/output.js';
import type { EventBus } from '../events/bus.js';
import { stdinBytes, type ExecResult, type Executor, type JobStdin } from '../exec/types.js';
import type { HaltPolicy } from '../spec/types.js';
import { haltStatus, shouldHalt } from './halt.js';
import { Median, Slots } from './slots.js';

/** A job ready to run; its command is built once its slot is known. */
export interface PlannedJob {
  seq: number;
  args: string[];
  stdin: JobStdin;
}

/** How a job becomes a process, and where its final result goes. */
export interface JobHooks {
  command(job: PlannedJob, slot: number): string;
  tag(job: PlannedJob, slot: number): string;
  /** Called once per job after its last attempt (e.g. to write --results). */
  done?(job: PlannedJob, result: ExecResult, stdout: Buffer[], stderr: Buffer[]): void;
  /** Jobs to skip (`--resume`). */
  skip?(seq: number): boolean;
}

export interface ScheduleOptions {
  slots: number;
  attempts: number;
  delayMs: number;
  timeout?: { seconds: number } | { percent: number };
  halt: HaltPolicy;
  total?: number;
  /** Aborted on SIGINT/SIGTERM: start nothing more, end running jobs. */
  signal?: AbortSignal;
}

/** Counts the scheduler hands back. */
export interface ScheduleCounts {
  jobs: number;
  succeeded: number;
  failed: number;
  skipped: number;
  retried: number;
  halted: boolean;
  haltExit?: number;
  interrupted: boolean;
  busyMs: number;
}

/** Counts of a run that has not started a job (yet, or at all: --dry-run). */
export const noCounts = (jobs = 0): ScheduleCounts => ({
  jobs,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  retried: 0,
  halted: false,
  interrupted: false,
  busyMs: 0,
});

/**
 * Runs planned jobs on a bounded number of slots, pulling the next job only when a slot
 * is free. Handles retries, timeouts, `--delay`, `--halt` and interrupts; output goes
 * through the collector, everything else is an event.
 */
export async function schedule(
  jobs: AsyncIterable<PlannedJob>,
  executor: Executor,
  collector: OutputCollector,
  bus: EventBus,
  hooks: JobHooks,
  opts: ScheduleOptions,
): Promise<ScheduleCounts> {
  const counts = noCounts();
  const slots = new Slots(opts.slots);
  const running = new Set<Promise<void>>();
  const kill = new AbortController();
  // Every running job listens for a kill: as many listeners as slots is expected.
  setMaxListeners(0, kill.signal);
  const median = new Median();
  let stopStarting = false;
  let lastStart = 0;
  // The first unexpected error ends the run: running jobs are killed, then it is rethrown.
  let failure: { error: unknown } | undefined;

  const onInterrupt = () => {
    counts.interrupted = true;
    stopStarting = true;
    kill.abort('interrupt');
  };
  opts.signal?.addEventListener('abort', onInterrupt, { once: true });
  if (opts.signal?.aborted) onInterrupt();

  const timeoutMs = (): number | undefined => {
    const t = opts.timeout;
    if (!t) return undefined;
    if ('seconds' in t) return t.seconds * 1000;
    return median.count >= 1 ? (median.value * t.percent) / 100 : undefined;
  };

  async function runJob(job: PlannedJob, slot: number): Promise<void> {
    const command = hooks.command(job, slot);
    const sink = collector.start(job.seq, hooks.tag(job, slot));
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const keep = hooks.done !== undefined;
    for (let attempt = 1; ; attempt++) {
      out.length = 0;
      err.length = 0;
      let outBytes = 0;
      let errBytes = 0;
      bus.emit({ type: 'job_started', seq: job.seq, slot, attempt, command });
      const res = await executor.run({
        seq: job.seq,
        slot,
        command,
        stdin: job.stdin,
        timeoutMs: timeoutMs(),
        signal: kill.signal,
        onStdout: (b) => {
          outBytes += b.length;
          if (keep) out.push(b);
          else sink.onStdout(b);
        },
        onStderr: (b) => {
          errBytes += b.length;
          if (keep) err.push(b);
          else sink.onStderr(b);
        },
      });
      const failed = res.exitCode !== 0 || res.signal !== 0;
      const stopped = res.killed === 'halt' || res.killed === 'interrupt';
      const final = !failed || stopped || attempt >= opts.attempts;
      const durationMs = res.end - res.start;
      counts.busyMs += durationMs;
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
      if (!final) {
        counts.retried++;
        collector.retry(job.seq);
        bus.emit({ type: 'job_retry', seq: job.seq, attempt, exitCode: res.exitCode, signal: res.signal });
        continue;
      }
      if (stopped) {
        // GNU drops a job it killed: no output, no joblog row; --resume runs it again.
        collector.discard(job.seq);
        return;
      }
      hooks.done?.(job, res, out, err);
      collector.finish(job.seq);
      if (failed) {
        counts.failed++;
        bus.emit({ type: 'job_failed', seq: job.seq, exitCode: res.exitCode, signal: res.signal, command });
      } else {
        counts.succeeded++;
        median.add(durationMs);
      }
      const halt = { done: counts.succeeded + counts.failed, ...counts, total: opts.total };
      if (!counts.halted && shouldHalt(opts.halt, halt, failed ? 'fail' : 'success')) {
        counts.halted = true;
        counts.haltExit = haltStatus(opts.halt, halt, res);
        stopStarting = true;
        if (opts.halt.when === 'now') kill.abort('halt');
      }
      return;
    }
  }

  const it = jobs[Symbol.asyncIterator]();
  try {
    while (!stopStarting) {
      while (!slots.available) await Promise.race(running);
      if (stopStarting) break;
      const next = await it.next();
      if (next.done) break;
      const job = next.value;
      const bytes = stdinBytes(job.stdin);
      if (bytes !== undefined) bus.emit({ type: 'chunk_ready', seq: job.seq, bytes });
      if (hooks.skip?.(job.seq)) {
        counts.skipped++;
        collector.passOver(job.seq);
        bus.emit({ type: 'job_skipped', seq: job.seq, reason: 'resume' });
        continue;
      }
      if (opts.delayMs > 0 && lastStart > 0) {
        const wait = lastStart + opts.delayMs - Date.now();
        if (wait > 0) await sleep(wait);
        if (stopStarting) break;
      }
      lastStart = Date.now();
      counts.jobs++;
      const slot = slots.take();
      const p: Promise<void> = runJob(job, slot)
        .catch((error: unknown) => {
          failure ??= { error };
          stopStarting = true;
          kill.abort('interrupt');
        })
        .finally(() => {
          running.delete(p);
          slots.release(slot);
        });
      running.add(p);
    }
  } catch (err) {
    kill.abort('interrupt');
    await Promise.allSettled(running);
    opts.signal?.removeEventListener('abort', onInterrupt);
    throw err;
  }
  if (stopStarting) await it.return?.(undefined);
  // An interrupt while the last jobs run must still reach them.
  await Promise.all(running);
  opts.signal?.removeEventListener('abort', onInterrupt);
  if (failure) throw failure.error;
  collector.end();
  return counts;
}
