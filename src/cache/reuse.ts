import type { OutputCollector } from '../collect/output.js';
import type { EventBus } from '../events/bus.js';
import type { WeftEvent } from '../events/types.js';
import type { Executor } from '../exec/types.js';
import type { JobHooks, PlannedJob } from '../schedule/scheduler.js';
import { mergeParts, type StoredResult, type Stream } from './entry.js';
import { jobKey } from './key.js';
import type { CacheStore } from './store.js';

/** What to reuse: results stored across runs, and/or results of identical jobs in this run. */
export interface ReuseOptions {
  cache?: CacheStore;
  /** `--dedupe`; with `windowMs`, a result serves duplicates read up to that long after it. */
  dedupe?: { windowMs?: number };
  /** The `--cache-env` variables and their values: part of every key. */
  env: readonly (readonly [string, string | undefined])[];
  /** Jobs `--resume` may skip (no side effects): such a job never serves duplicates. */
  resumed?(seq: number): boolean;
}

/** Jobs whose result was reused, by where it came from and how it ended. */
export interface ReuseCounts {
  cached: number;
  deduped: number;
  succeeded: number;
  failed: number;
}

type Finished = Extract<WeftEvent, { type: 'job_finished' }>;
type Waiter = { job: PlannedJob; command: string };

/**
 * `--cache` and `--dedupe`: a job whose result is already known is not run. Sits between the
 * planner and the scheduler: `filter` passes on the jobs that must run and replays the others
 * (same output bytes, same order, through the collector and the `done` hook, so -k, --tag and
 * --results behave as if the job ran); `wrap` records the output of the jobs that run, and
 * their final `job_finished` event settles the result (stored, and replayed to duplicates
 * that waited for it). A reused job takes no slot, no rate token and no per-key place.
 */
export class Reuse {
  readonly counts: ReuseCounts = { cached: 0, deduped: 0, succeeded: 0, failed: 0 };
  /** Jobs passed on to run whose result is kept: seq → key. */
  private readonly recorded = new Map<number, string>();
  /** Output of the latest attempt of each recorded job. */
  private readonly captured = new Map<number, [Stream, Buffer][]>();
  /** Keys whose first job runs now, with the duplicates waiting for it. */
  private readonly inflight = new Map<string, { seq: number; waiters: Waiter[] }>();
  /** Dedupe: results of this run by key, oldest first (for the window). */
  private readonly results = new Map<string, { result: StoredResult; seq: number; at: number }>();
  private error?: { error: unknown };

  constructor(
    private readonly opts: ReuseOptions,
    private readonly bus: EventBus,
    private readonly collector: OutputCollector,
    private readonly hooks: JobHooks,
  ) {
    bus.on((e) => {
      if (e.type === 'job_finished' && e.final) this.settle(e);
    });
  }

  /** The jobs that must run; the others are replayed on the way. */
  async *filter(jobs: AsyncIterable<PlannedJob>): AsyncGenerator<PlannedJob> {
    const { cache, dedupe } = this.opts;
    for await (const job of jobs) {
      this.check();
      // --resume skips it anyway; it must not become the job duplicates wait for.
      if (this.opts.resumed?.(job.seq)) {
        yield job;
        continue;
      }
      // A reused job has no slot: {%} in the command reads 1, for the key as for the tag.
      const command = this.hooks.command(job, 1);
      const key = await jobKey(command, job.stdin, this.opts.env);
      if (dedupe) {
        this.prune(Date.now());
        const known = this.results.get(key);
        if (known) {
          this.replay(job, command, known.result, 'dedupe', key, known.seq);
          continue;
        }
        const first = this.inflight.get(key);
        if (first) {
          first.waiters.push({ job, command });
          continue;
        }
      }
      const stored = await cache?.get(key);
      if (stored) {
        this.replay(job, command, stored, 'cache', key);
        if (dedupe) this.remember(key, stored, job.seq);
        continue;
      }
      this.recorded.set(job.seq, key);
      if (dedupe) this.inflight.set(key, { seq: job.seq, waiters: [] });
      yield job;
    }
  }

  /** The executor, recording the output of the jobs whose result is kept. */
  wrap(inner: Executor): Executor {
    return {
      run: async (req) => {
        if (!this.recorded.has(req.seq)) return inner.run(req);
        const parts: [Stream, Buffer][] = [];
        const res = await inner.run({
          ...req,
          onStdout: (b) => {
            parts.push([1, b]);
            req.onStdout(b);
          },
          onStderr: (b) => {
            parts.push([2, b]);
            req.onStderr(b);
          },
        });
        this.captured.set(req.seq, parts);
        return res;
      },
      close: () => inner.close?.() ?? Promise.resolve(),
    };
  }

  /** After the scheduler: waits for cache writes; rethrows an error met while replaying. */
  async finish(): Promise<void> {
    await this.opts.cache?.flush();
    this.check();
  }

  private check(): void {
    if (this.error) throw this.error.error;
  }

  /** A recorded job's last attempt ended: keep its result and serve the duplicates waiting. */
  private settle(e: Finished): void {
    const key = this.recorded.get(e.seq);
    if (key === undefined) return;
    this.recorded.delete(e.seq);
    const parts = this.captured.get(e.seq) ?? [];
    this.captured.delete(e.seq);
    const first = this.inflight.get(key);
    const waiters = first?.seq === e.seq ? first.waiters : [];
    if (first?.seq === e.seq) this.inflight.delete(key);
    // Killed by --halt now or a signal: the run is ending; its duplicates end with it, unrun.
    if (e.killed === 'halt' || e.killed === 'interrupt') return;
    const result: StoredResult = {
      exitCode: e.exitCode,
      signal: e.signal,
      parts: mergeParts(parts),
      durationMs: e.durationMs,
      createdAt: Date.now(),
      command: e.command,
    };
    // Only successes are stored: a failure may be passing (a flaky API), and is run again.
    if (e.exitCode === 0 && e.signal === 0 && !e.killed) this.opts.cache?.put(key, result);
    if (!this.opts.dedupe) return;
    this.remember(key, result, e.seq);
    if (!waiters.length) return;
    // After the job's own output is handed to the collector (it follows this event at once).
    queueMicrotask(() => {
      try {
        for (const w of waiters) this.replay(w.job, w.command, result, 'dedupe', key, e.seq);
      } catch (error) {
        this.error ??= { error };
      }
    });
  }

  private remember(key: string, result: StoredResult, seq: number): void {
    this.results.delete(key); // re-inserted last: the map stays ordered by time
    this.results.set(key, { result, seq, at: Date.now() });
  }

  /** Forgets results older than the dedupe window. */
  private prune(now: number): void {
    const windowMs = this.opts.dedupe?.windowMs;
    if (windowMs === undefined) return;
    for (const [key, r] of this.results) {
      if (now - r.at <= windowMs) break;
      this.results.delete(key);
    }
  }

  /** Plays a known result as this job's: events, output through the collector, counts. */
  private replay(
    job: PlannedJob,
    command: string,
    r: StoredResult,
    reason: 'cache' | 'dedupe',
    key: string,
    of?: number,
  ): void {
    const failed = r.exitCode !== 0 || r.signal !== 0;
    this.counts[reason === 'cache' ? 'cached' : 'deduped']++;
    this.counts[failed ? 'failed' : 'succeeded']++;
    this.bus.emit({
      type: 'job_skipped',
      seq: job.seq,
      reason,
      command,
      args: job.args,
      exitCode: r.exitCode,
      signal: r.signal,
      key,
      ...(of === undefined ? {} : { of }),
    });
    const sink = this.collector.start(job.seq, this.hooks.tag(job, 1));
    if (this.hooks.done) {
      const now = Date.now();
      const stream = (s: Stream) => r.parts.filter(([p]) => p === s).map(([, b]) => b);
      this.hooks.done(
        job,
        { exitCode: r.exitCode, signal: r.signal, start: now, end: now },
        stream(1),
        stream(2),
      );
    } else {
      for (const [s, b] of r.parts) {
        if (s === 1) sink.onStdout(b);
        else sink.onStderr(b);
      }
    }
    this.collector.finish(job.seq);
    if (failed) {
      this.bus.emit({ type: 'job_failed', seq: job.seq, exitCode: r.exitCode, signal: r.signal, command });
    }
  }
}
