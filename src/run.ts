import type { Readable, Writable } from 'node:stream';
import { OutputCollector } from './collect/output.js';
import { writeResults } from './collect/results-dir.js';
import { EventBus } from './events/bus.js';
import { joblogWriter, readJoblog } from './events/joblog.js';
import type { EventListener, RunSummary } from './events/types.js';
import { FastExecutor } from './exec/fast.js';
import { LocalExecutor } from './exec/local.js';
import type { Executor } from './exec/types.js';
import { plan } from './plan.js';
import { schedule, type JobHooks } from './schedule/scheduler.js';
import type { JobSpec } from './spec/types.js';

/** Where a run reads and writes, and who listens. */
export interface RunOptions {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Abort to stop the run as SIGINT would (`reason` 'SIGTERM' reports 143). */
  signal?: AbortSignal;
  /** Receives every event of the run. */
  onEvent?: EventListener;
  /** Runs jobs somewhere else than local processes. */
  executor?: Executor;
}

/**
 * Runs a job spec to the end: plan → schedule → execute → collect. Returns the summary;
 * never exits the process and writes only to the given streams.
 */
export async function run(spec: JobSpec, options: RunOptions = {}): Promise<RunSummary> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const started = Date.now();
  const bus = new EventBus();
  if (options.onEvent) bus.on(options.onEvent);

  const resumed = spec.joblog && spec.resume !== 'none' ? readJoblog(spec.joblog) : undefined;
  const p = await plan(spec, stdin);

  if (spec.dryRun) {
    let jobs = 0;
    for await (const job of p.jobs) {
      jobs++;
      stdout.write(p.command.expand({ args: job.args, seq: job.seq, slot: 1, total: p.total }) + '\n');
    }
    return summarize({
      jobs,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      retried: 0,
      halted: false,
      interrupted: false,
      busyMs: 0,
    });
  }

  const joblog = spec.joblog && !spec.dryRun ? joblogWriter(spec.joblog, resumed !== undefined) : undefined;
  if (joblog) bus.on(joblog.listener);

  const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...spec.env };
  baseEnv.PARALLEL_PID = String(process.pid);
  const collector = new OutputCollector(spec.output, stdout, stderr);
  const hooks: JobHooks = {
    command: (job, slot) => p.command.expand({ args: job.args, seq: job.seq, slot, total: p.total }),
    tag: (job, slot) =>
      p.tag
        ? p.tag.expand({ args: job.args, seq: job.seq, slot, total: p.total })
        : spec.output.tag
          ? job.args.join('\t')
          : '',
    skip: resumed
      ? (seq) => resumed.succeeded.has(seq) || (spec.resume === 'skip-done' && resumed.failed.has(seq))
      : undefined,
    done: spec.output.resultsDir
      ? (job, _res, out, err) =>
          writeResults(
            spec.output.resultsDir!,
            job.args,
            p.names,
            job.seq,
            Buffer.concat(out),
            Buffer.concat(err),
          )
      : undefined,
  };

  const executor: Executor =
    options.executor ??
    (spec.dispatch === 'spawn'
      ? new LocalExecutor(spec.shell, baseEnv, spec.cwd)
      : new FastExecutor(spec.shell, baseEnv, spec.cwd));
  bus.emit({ type: 'run_started', jobs: spec.jobs, startedAt: started });
  try {
    const counts = await schedule(p.jobs, executor, collector, bus, hooks, {
      slots: spec.jobs,
      attempts: spec.retries,
      delayMs: spec.delay * 1000,
      timeout: spec.timeout,
      halt: spec.halt,
      total: p.total,
      signal: options.signal,
    });
    const summary = summarize(counts);
    bus.emit({ type: 'run_finished', summary });
    return summary;
  } finally {
    joblog?.close();
    await executor.close?.();
  }

  function summarize(c: Awaited<ReturnType<typeof schedule>>): RunSummary {
    const wallMs = Date.now() - started;
    const reason = options.signal?.reason;
    const interrupted = c.interrupted ? (reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT') : undefined;
    const exitCode = c.halted
      ? (c.haltExit ?? 0)
      : interrupted
        ? interrupted === 'SIGTERM'
          ? 143
          : 130
        : Math.min(c.failed, 101);
    return {
      jobs: c.jobs,
      succeeded: c.succeeded,
      failed: c.failed,
      skipped: c.skipped,
      retried: c.retried,
      halted: c.halted,
      interrupted,
      exitCode,
      wallMs,
      speedup: wallMs > 0 ? c.busyMs / wallMs : 0,
    };
  }
}
