import { setTimeout as sleep } from 'node:timers/promises';
import type { OutputCollector } from '../collect/output.js';
import type { EventBus } from '../events/bus.js';
import type { ExecResult, Executor, JobStdin } from '../exec/types.js';
import type { HaltPolicy } from '../spec/types.js';
import type { Gate } from './gate.js';
import { haltStatus, shouldHalt } from './halt.js';
import { runJob, type JobContext } from './job.js';
import { retryPolicy, type RetryPolicy } from './retry.js';
import { Median, Slots } from './slots.js';
import { Stopping } from './stopping.js';

/** A job ready to run; its command is built once its slot is known. */
export interface PlannedJob {
  seq: number;
  args: string[];
  stdin: JobStdin;
  /** Format chunks cut by `--key FIELD`: the chunk's key partition (for `--max-per-key`). */
  key?: string;
}

/** How a job becomes a process, and where its final result goes. */
export interface JobHooks {
  command(job: PlannedJob, slot: number): string;
  tag(job: PlannedJob, slot: number): string;
  /** Called once per job after its last attempt (e.g. to write --results). */
  done?(job: PlannedJob, result: ExecResult, stdout: Buffer[], stderr: Buffer[]): void;
  /** With `done`: the output is printed as well (the journal keeps a copy of what is printed). */
  alsoPrint?: boolean;
  /**
   * Jobs not to run (`--resume`). 'replayed': the hook has put the job's stored output
   * through the collector itself (`--journal`).
   */
  skip?(job: PlannedJob): SkipVerdict | Promise<SkipVerdict>;
}

/** What `onJobEnd` learns of a job: how its last attempt ended, how long it took, its slot. */
export interface JobEnd {
  result: ExecResult;
  durationMs: number;
  slot: number;
}

/** What `JobHooks.skip` says: run the job (false), skip it (true), or it was replayed. */
export type SkipVerdict = boolean | 'replayed';

export interface ScheduleOptions {
  slots: number;
  /** Attempts per job (GNU --retries), or a full retry policy. */
  attempts: number | RetryPolicy;
  delayMs: number;
  timeout?: { seconds: number } | { percent: number };
  halt: HaltPolicy;
  total?: number;
  /** Aborted on a first SIGINT/SIGTERM: start nothing more, let running jobs finish. */
  signal?: AbortSignal;
  /** Aborted on a second signal: also kill the running jobs (their process groups). */
  killSignal?: AbortSignal;
  /** Admission control (rate, per-key caps, free memory), asked before each start. */
  gates?: readonly Gate[];
  /** Called after each job's last attempt with the slot pool (adaptive concurrency). */
  onJobEnd?(slots: Slots, outcome: JobEnd): void;
  /** Jobs read ahead of the first waiting one, so an open gate is not blocked by a closed one. */
  lookahead?: number;
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

const stdinBytes = (s: JobStdin): number | undefined =>
  s.kind === 'buffer' ? s.data.length : s.kind === 'range' ? s.range.end - s.range.start : undefined;

/**
 * Runs planned jobs on a bounded number of slots, pulling the next job only when a slot
 * is free and its gates are open. Handles retries, timeouts, `--delay`, `--halt` and
 * interrupts; output goes through the collector, everything else is an event.
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
  const gates = opts.gates ?? [];
  const running = new Set<Promise<void>>();
  /** Commands of the running jobs, for the notice a signal prints. */
  const active = new Map<number, string>();
  const stops = new Stopping(opts.signal, opts.killSignal, (reason, kill) => {
    const running = [...active].map(([seq, command]) => ({ seq, command }));
    bus.emit({ type: 'run_stopping', reason, kill, running });
  });
  const { stopped } = stops;
  const median = new Median();
  // Also set by --halt soon, which lets retries go on (the `stop` abort does not).
  let stopStarting = stops.stop.aborted;
  stops.stop.addEventListener('abort', () => (stopStarting = true));
  let lastStart = 0;
  // The first unexpected error ends the run: running jobs are killed, then it is rethrown.
  let failure: { error: unknown } | undefined;

  const ctx: JobContext = {
    executor,
    collector,
    bus,
    hooks,
    gates,
    kill: stops.killing,
    stop: stops.stop,
    retry: typeof opts.attempts === 'number' ? retryPolicy(opts.attempts) : opts.attempts,
    timeoutMs: () => {
      const t = opts.timeout;
      if (!t) return undefined;
      if ('seconds' in t) return t.seconds * 1000;
      return median.count >= 1 ? (median.value * t.percent) / 100 : undefined;
    },
  };

  async function finishJob(job: PlannedJob, slot: number, command: string): Promise<void> {
    const o = await runJob(job, slot, command, ctx);
    counts.busyMs += o.busyMs;
    counts.retried += o.attempts - 1;
    opts.onJobEnd?.(slots, { ...o, slot });
    if (o.stopped) return;
    const res = o.result;
    const failed = res.exitCode !== 0 || res.signal !== 0;
    if (failed) {
      counts.failed++;
      bus.emit({
        type: 'job_failed',
        seq: job.seq,
        exitCode: res.exitCode,
        signal: res.signal,
        command: o.command,
      });
    } else {
      counts.succeeded++;
      median.add(o.durationMs);
    }
    const halt = { done: counts.succeeded + counts.failed, ...counts, total: opts.total };
    if (!counts.halted && shouldHalt(opts.halt, halt, failed ? 'fail' : 'success')) {
      counts.halted = true;
      counts.haltExit = haltStatus(opts.halt, halt, res);
      stopStarting = true;
      if (opts.halt.when === 'now') stops.kill('halt');
    }
  }

  function start(job: PlannedJob): void {
    const now = Date.now();
    lastStart = now;
    counts.jobs++;
    for (const g of gates) g.started?.(job, now);
    const slot = slots.take();
    const command = hooks.command(job, slot);
    active.set(job.seq, command);
    const p: Promise<void> = finishJob(job, slot, command)
      .catch((error: unknown) => {
        failure ??= { error };
        stops.kill('interrupt');
      })
      .finally(() => {
        active.delete(job.seq);
        running.delete(p);
        slots.release(slot);
      });
    running.add(p);
  }

  // Jobs read but not started: in input order; a job whose gates are closed waits here
  // while later jobs with open gates go ahead.
  const waiting: PlannedJob[] = [];
  const lookahead = Math.max(1, opts.lookahead ?? (gates.length ? Math.max(64, opts.slots * 4) : 1));
  const it = jobs[Symbol.asyncIterator]();
  let exhausted = false;
  // A read of the input still in flight when a signal stopped the run (stdin may never end).
  let pending: Promise<IteratorResult<PlannedJob>> | undefined;

  /** Reads jobs until `lookahead` wait; skipped (--resume) jobs never wait. */
  async function fill(): Promise<void> {
    while (!exhausted && !stopStarting && waiting.length < lookahead) {
      pending ??= it.next();
      const next = await Promise.race([pending, stopped]);
      if (!next) return;
      pending = undefined;
      if (next.done) {
        exhausted = true;
        return;
      }
      const job = next.value;
      const bytes = stdinBytes(job.stdin);
      if (bytes !== undefined) bus.emit({ type: 'chunk_ready', seq: job.seq, bytes });
      const verdict = hooks.skip ? await hooks.skip(job) : false;
      if (verdict) {
        counts.skipped++;
        if (verdict !== 'replayed') collector.passOver(job.seq);
        bus.emit({ type: 'job_skipped', seq: job.seq, reason: 'resume' });
        continue;
      }
      waiting.push(job);
    }
  }

  /** The first waiting job every gate admits now, removed from the queue. */
  function pick(): PlannedJob | undefined {
    const now = Date.now();
    const i = gates.length ? waiting.findIndex((j) => gates.every((g) => g.ready(j, now))) : 0;
    return i < 0 || i >= waiting.length ? undefined : waiting.splice(i, 1)[0];
  }

  try {
    while (!stopStarting) {
      while (!slots.available) await Promise.race(running);
      if (stopStarting) break;
      await fill();
      if (stopStarting || (exhausted && waiting.length === 0)) break;
      const job = pick();
      if (!job) {
        // Nothing may start: wait for a job to end or a gate to open.
        const now = Date.now();
        const wakes = gates.map((g) => g.wake?.(now)).filter((w) => w !== undefined);
        if (!wakes.length && !running.size)
          throw new Error('scheduler: every gate is closed and no job runs');
        await Promise.race([...running, ...wakes, stopped]);
        continue;
      }
      if (opts.delayMs > 0 && lastStart > 0) {
        const wait = lastStart + opts.delayMs - Date.now();
        if (wait > 0) await Promise.race([sleep(wait), stopped]);
        if (stopStarting) {
          waiting.unshift(job);
          break;
        }
      }
      start(job);
    }
  } catch (err) {
    stops.kill('interrupt');
    await Promise.allSettled(running);
    stops.dispose();
    throw err;
  }
  if (stopStarting) {
    // A read still in flight blocks return() until it settles: end the input when it does.
    if (pending) pending.then(() => it.return?.(undefined)).catch(() => {});
    else await it.return?.(undefined);
  }
  // An interrupt while the last jobs run must still reach them.
  await Promise.all(running);
  stops.dispose();
  counts.interrupted = stops.interrupted;
  if (failure) throw failure.error;
  collector.end();
  return counts;
}
