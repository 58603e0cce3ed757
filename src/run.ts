import { fstatSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { aggregateSink } from './aggregate/sink.js';
import { OutputCollector } from './collect/output.js';
import { writeResults } from './collect/results-dir.js';
import { EventBus } from './events/bus.js';
import { joblogWriter, readJoblog } from './events/joblog.js';
import type { EventListener, RunSummary } from './events/types.js';
import { FastExecutor } from './exec/fast.js';
import { LocalExecutor } from './exec/local.js';
import type { Task } from './exec/js/task.js';
import type { Executor } from './exec/types.js';
import { plan } from './plan.js';
import { reportWriter } from './report/writer.js';
import { AdaptiveLimit } from './schedule/adaptive.js';
import { noCounts, schedule, type JobHooks } from './schedule/scheduler.js';
import { highestSlot, MAX_SLOTS, plannedSlots } from './spec/defaults.js';
import type { JobSpec } from './spec/types.js';

/** The size of pipe mode's input when it is a regular, uncompressed file (progress by bytes). */
function pipeInputBytes(spec: JobSpec, stdin: Readable): number | undefined {
  if (!spec.pipe) return undefined;
  try {
    const file = spec.input.sources.find((s) => s.kind === 'file');
    if ((spec.pipe.part || spec.pipe.formats) && file?.kind === 'file') {
      return file.path.endsWith('.gz') ? undefined : statSync(file.path).size;
    }
    if (stdin === process.stdin) {
      const info = fstatSync(0);
      return info.isFile() ? info.size : undefined;
    }
  } catch {
    // unknown size: the display shows a counter
  }
  return undefined;
}

/**
 * Where jobs run: the caller's executor, a function (`task`), a JavaScript module's worker
 * threads (`--js`, loaded only then), or processes.
 */
async function chooseExecutor(
  spec: JobSpec,
  options: RunOptions,
  env: Record<string, string>,
): Promise<Executor> {
  if (options.executor) return options.executor;
  if (options.task || spec.js !== undefined) {
    const js = await import('./exec/js/executor.js');
    if (options.task) return new js.TaskExecutor(options.task);
    return new js.JsExecutor(spec.js!).start();
  }
  if (spec.dispatch === 'spawn') return new LocalExecutor(spec.shell, env, spec.cwd);
  return new FastExecutor(spec.shell, env, spec.cwd);
}

/** Where a run reads and writes, and who listens. */
export interface RunOptions {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /** Abort to stop the run as SIGINT would (`reason` 'SIGTERM' reports 143). */
  signal?: AbortSignal;
  /** Receives every event of the run. */
  onEvent?: EventListener;
  /**
   * Read finite inputs (`:::` values, files; never stdin) whole before the first job starts,
   * so `run_started` carries `total` (progress bars, ETAs).
   */
  countTotal?: boolean;
  /** Runs jobs somewhere else than local processes. */
  executor?: Executor;
  /**
   * Runs each job with this function on the main thread instead of a command: the chunk as text
   * in pipe mode, else the job's arguments; the result is the job's stdout (docs/scheduling.md).
   */
  task?: Task;
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
  const p = await plan(spec, stdin, { countTotal: options.countTotal });

  if (spec.dryRun) {
    let jobs = 0;
    for await (const job of p.jobs) {
      jobs++;
      stdout.write(p.command.expand({ args: job.args, seq: job.seq, slot: 1, total: p.total }) + '\n');
    }
    return summarize(noCounts(jobs));
  }

  const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...spec.env };
  baseEnv.PARALLEL_PID = String(process.pid);
  // First, so that a JavaScript module that cannot load fails the run before any file is written.
  const executor = await chooseExecutor(spec, options, baseEnv);

  let joblog: ReturnType<typeof joblogWriter> | undefined;
  let report: ReturnType<typeof reportWriter> | undefined;
  try {
    joblog = spec.joblog ? joblogWriter(spec.joblog, resumed !== undefined) : undefined;
    const title = spec.js === undefined ? spec.command.join(' ') : `--js ${spec.js}`;
    report = spec.report ? reportWriter(spec.report, { title }) : undefined;
  } catch (err) {
    joblog?.close();
    await executor.close?.(); // worker threads would keep the process alive
    throw err;
  }
  if (joblog) bus.on(joblog.listener);
  if (report) bus.on(report.listener);
  const collector = new OutputCollector(spec.output, stdout, stderr);
  const sink = spec.aggregate
    ? aggregateSink(spec.aggregate, {
        shell: spec.shell,
        env: baseEnv,
        stdout,
        stderr,
        jobs: plannedSlots(spec),
        signal: options.signal,
      })
    : undefined;
  const pushes: Promise<void>[] = [];
  const hooks: JobHooks = {
    command: (job, slot) =>
      p.command.expand({ args: job.args, seq: job.seq, slot, total: p.total, slots: highestSlot(spec) }),
    tag: (job, slot) =>
      p.tag
        ? p.tag.expand({ args: job.args, seq: job.seq, slot, total: p.total })
        : spec.output.tag
          ? job.args.join(' ')
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
      : sink
        ? (job, res, out, err) => {
            for (const b of err) stderr.write(b);
            if (res.exitCode === 0 && res.signal === 0) {
              const pushed = sink.push(job.seq, Buffer.concat(out));
              // Awaited after the jobs end; until then a rejection must not count as unhandled.
              pushed.catch(() => {});
              pushes.push(pushed);
            }
          }
        : undefined,
  };

  // -j auto: a controller resizes the slots after each job (docs/scheduling.md).
  const maxJobs = spec.maxJobs ?? MAX_SLOTS;
  const auto =
    spec.jobs === 'auto'
      ? new AdaptiveLimit({
          max: maxJobs,
          onChange: (change) => bus.emit({ type: 'concurrency_changed', ...change }),
        })
      : undefined;
  bus.emit({
    type: 'run_started',
    jobs: auto ? auto.current : (spec.jobs as number),
    maxJobs: auto ? maxJobs : undefined,
    startedAt: started,
    total: p.total,
    totalBytes: pipeInputBytes(spec, stdin),
  });
  try {
    const counts = await schedule(p.jobs, executor, collector, bus, hooks, {
      slots: auto ? auto.current : (spec.jobs as number),
      onJobEnd: auto && ((slots, outcome) => auto.onJobEnd(slots, outcome)),
      attempts: spec.retries,
      delayMs: spec.delay * 1000,
      timeout: spec.timeout,
      halt: spec.halt,
      total: p.total,
      signal: options.signal,
    });
    if (sink) {
      await Promise.all(pushes);
      if (counts.interrupted) await sink.abort();
      else {
        if (counts.failed)
          stderr.write(`weft: ${counts.failed} job(s) failed; their output is not in the result\n`);
        counts.failed += (await sink.finish()).failed;
      }
    }
    const bad = p.chunkStats;
    if (bad?.skipped) stderr.write(`weft: skipped ${bad.skipped} bad record(s)\n`);
    if (bad?.quarantined) stderr.write(`weft: quarantined ${bad.quarantined} bad record(s)\n`);
    const summary = summarize(counts);
    bus.emit({ type: 'run_finished', summary });
    return summary;
  } catch (err) {
    await sink?.abort();
    throw err;
  } finally {
    joblog?.close();
    await executor.close?.();
    report?.close(); // also after --halt, a signal or an error: what is known
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
