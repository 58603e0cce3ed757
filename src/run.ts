import { fstatSync, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { aggregateSink } from './aggregate/sink.js';
import { parseSize } from './chunk/units.js';
import { OutputCollector } from './collect/output.js';
import { writeResults } from './collect/results-dir.js';
import { WeftError } from './errors.js';
import { EventBus } from './events/bus.js';
import { joblogWriter, readJoblog } from './events/joblog.js';
import { jobFingerprint } from './events/job-id.js';
import { Journal } from './events/journal.js';
import type { EventListener, RunSummary } from './events/types.js';
import { ChunkFileExecutor } from './exec/chunk-file.js';
import { FastExecutor } from './exec/fast.js';
import { LocalExecutor } from './exec/local.js';
import type { Executor } from './exec/types.js';
import { plan } from './plan.js';
import { ABORTED, unlessAborted, untilAborted } from './source/abortable.js';
import { encodeRaw } from './raw-text.js';
import { reportWriter } from './report/writer.js';
import { AdaptiveLimit } from './schedule/adaptive.js';
import { retryPolicyFor } from './schedule/retry.js';
import {
  noCounts,
  schedule,
  type JobHooks,
  type PlannedJob,
  type ScheduleCounts,
} from './schedule/scheduler.js';
import { admissionGates } from './schedule/admission.js';
import { Reuse, type ReuseCounts } from './cache/reuse.js';
import { CacheStore } from './cache/store.js';
import { orderJobs } from './schedule/order.js';
import { highestSlot, MAX_SLOTS, plannedSlots } from './spec/defaults.js';
import type { JobSpec } from './spec/types.js';
import type { Task } from './exec/js/task.js';

/** The size of pipe mode's input when it is a regular, uncompressed file (progress by bytes). */
function pipeInputBytes(spec: JobSpec, stdin: Readable): number | undefined {
  if (!spec.pipe) return undefined;
  try {
    const files = spec.input.sources.flatMap((s) => (s.kind === 'file' ? [s.path] : []));
    if (spec.pipe.part && files.length) return statSync(files[0]).size;
    if (spec.pipe.formats && files.length) {
      if (files.some((f) => f.endsWith('.gz')) || files.length < spec.input.sources.length) return undefined;
      return files.reduce((sum, f) => sum + statSync(f).size, 0);
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

type Interrupt = NonNullable<RunSummary['interrupted']>;

/** The exit status after each signal a run reports: 128 + its number. */
const SIGNAL_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** Where jobs run: on the run's queue (`--queue`), or here, through slot shells or one spawn per job. */
async function defaultExecutor(
  spec: JobSpec,
  env: Record<string, string>,
  stderr: Writable,
  signal?: AbortSignal,
): Promise<Executor> {
  if (spec.queue) {
    const { openQueueExecutor } = await import('./queue/producer.js');
    return openQueueExecutor(spec, { env: process.env, cwd: process.cwd(), stderr, signal });
  }
  const execOptions = { termSeq: spec.termSeq, nice: spec.nice };
  return spec.dispatch === 'spawn'
    ? new LocalExecutor(spec.shell, env, spec.cwd, execOptions)
    : new FastExecutor(spec.shell, env, spec.cwd, execOptions);
}

/**
 * A JavaScript job runner when the run has one: a function (`task`, on the main thread) or a
 * module (`--js`, in worker threads). Loaded only then; a module that cannot load fails here.
 */
async function jsExecutor(spec: JobSpec, task: Task | undefined): Promise<Executor | undefined> {
  if (!task && spec.js === undefined) return undefined;
  const js = await import('./exec/js/executor.js');
  return task ? new js.TaskExecutor(task) : new js.JsExecutor(spec.js!).start();
}

/** Where a run reads and writes, and who listens. */
export interface RunOptions {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Abort to stop the run as a first SIGINT does: no new job starts, running jobs finish
   * (their output is printed and logged), and the run reports 130 (`reason` 'SIGTERM': 143,
   * 'SIGHUP': 129).
   */
  signal?: AbortSignal;
  /**
   * Abort to stop the run as a second SIGINT does: no new job starts and the running jobs'
   * process groups are killed (`termSeq`). Its reason sets the status when `signal` did not.
   */
  killSignal?: AbortSignal;
  /** A number in [0, 1) for `--retry-delay`'s jitter (default Math.random; tests pass their own). */
  random?: () => number;
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
  /**
   * Bytes of output held in memory (for -k and grouping, all jobs together) before the rest
   * goes to temporary files; default 8 MiB, or $WEFT_SPILL_THRESHOLD.
   */
  spillThreshold?: number;
}

/** A byte count from the environment (`WEFT_SPILL_THRESHOLD=64K`), or undefined. */
function envBytes(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const n = parseSize(text, 'WEFT_SPILL_THRESHOLD');
  if (n < 0) throw new WeftError('E_OPTION', `WEFT_SPILL_THRESHOLD: '${text}' must be a size of 0 or more`);
  return n;
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

  // In queue mode --resume reattaches to the queue, which holds every result: nothing is skipped.
  const resumed = spec.joblog && spec.resume !== 'none' && !spec.queue ? readJoblog(spec.joblog) : undefined;
  // Planning may wait on input (a CSV read whole, a FIFO with no writer yet): an interrupt ends that wait.
  const planned = await unlessAborted(
    plan(spec, stdin, {
      countTotal: options.countTotal,
      signal: options.signal,
      // Jobs run here, one process each, may read a relayed chunk of stdin (src/chunk/relay).
      relay: !options.executor && !options.task,
    }),
    options.signal,
  );
  if (planned === ABORTED) return summarize({ ...noCounts(), interrupted: true });
  const p = planned;
  if (spec.order) {
    // LPT and priorities need every job's key: the whole input is read before a job starts.
    const ordered = await orderJobs(untilAborted(p.jobs, options.signal), spec.order, {
      replace: spec.replace,
      plus: spec.plus,
      names: p.names,
    });
    p.jobs = fromArray(ordered);
    p.total ??= ordered.length;
  }

  if (spec.dryRun) {
    let jobs = 0;
    for await (const job of untilAborted(p.jobs, options.signal)) {
      jobs++;
      stdout.write(
        encodeRaw(p.command.expand({ args: job.args, seq: job.seq, slot: 1, total: p.total }) + '\n'),
      );
    }
    return summarize(noCounts(jobs));
  }

  // Checked before any file is written: a bad --memfree or --cache DIR stops the run here.
  const gates = admissionGates(spec, { bus, stderr, names: p.names });
  const cache = spec.cache
    ? await CacheStore.open(
        spec.cache.dir,
        spec.cache.ttlSeconds === undefined ? undefined : spec.cache.ttlSeconds * 1000,
        (m) => stderr.write(m),
      )
    : undefined;

  const baseEnv: Record<string, string> = { ...(process.env as Record<string, string>), ...spec.env };
  baseEnv.PARALLEL_PID = String(process.pid);
  // A job's stdin from weft is a socket pair (node's pipes), and bash reads ~/.bashrc when
  // its stdin is a socket and SHLVL is unset or 0 (its "run by rshd" rule): under cron that
  // would be every job. SHLVL=1 says the job is started from a shell, as it is.
  if (!(Number(baseEnv.SHLVL) >= 1)) baseEnv.SHLVL = '1';
  // Queue mode connects here, before any file is written (and loads bullmq only then).
  const base =
    options.executor ??
    (await jsExecutor(spec, options.task)) ??
    (await defaultExecutor(spec, baseEnv, stderr, options.signal));
  // --cat/--fifo: each chunk reaches its job as a file name instead of on stdin.
  const local = spec.pipe?.deliver ? new ChunkFileExecutor(base, spec.pipe.deliver) : base;
  let journal: Journal | undefined;
  let joblog: ReturnType<typeof joblogWriter> | undefined;
  let report: ReturnType<typeof reportWriter> | undefined;
  try {
    journal = spec.journal
      ? Journal.open(spec.journal, {
          resume: spec.resume,
          fingerprint: jobFingerprint(spec),
          warn: (line) => stderr.write(line),
        })
      : undefined;
    joblog =
      spec.joblog && !spec.dryRun
        ? joblogWriter(spec.joblog, resumed !== undefined, { attempts: spec.joblogAttempts })
        : undefined;
    const title = spec.js === undefined ? spec.command.join(' ') : `--js ${spec.js}`;
    report = spec.report ? reportWriter(spec.report, { title }) : undefined;
  } catch (err) {
    await journal?.close();
    joblog?.close();
    await local.close?.();
    throw err;
  }
  if (journal) bus.on(journal.listener);
  // Pipe mode reuses a chunk's buffer once its job will not run again; not with a journal,
  // which reads the chunk after the job to record its content hash.
  const release = journal ? undefined : p.release;
  if (release) {
    bus.on((e) => {
      if ((e.type === 'job_finished' && e.final) || e.type === 'job_skipped') release(e.seq);
    });
  }
  if (joblog) bus.on(joblog.listener);
  if (report) bus.on(report.listener);
  // Reduce processes die with a second signal, or when an interrupted run drops its answer.
  const sinkKill = new AbortController();
  const killSink = () => sinkKill.abort();
  options.killSignal?.addEventListener('abort', killSink, { once: true });
  if (options.killSignal?.aborted) killSink();
  const collector = new OutputCollector(spec.output, stdout, stderr, {
    spillThreshold: options.spillThreshold ?? envBytes(process.env.WEFT_SPILL_THRESHOLD),
  });
  const sink = spec.aggregate
    ? aggregateSink(spec.aggregate, {
        shell: spec.shell,
        env: baseEnv,
        stdout,
        stderr,
        jobs: plannedSlots(spec),
        signal: sinkKill.signal,
      })
    : undefined;
  const pushes: Promise<void>[] = [];
  // Where a finished job's output goes besides the collector: --results, or the aggregate.
  const deliver: JobHooks['done'] = spec.output.resultsDir
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
      : undefined;
  /** --journal --resume: a job the journal holds is not run; its stored output goes where a run's would. */
  const replay = async (j: Journal, job: PlannedJob) => {
    const e = await j.lookup(job);
    if (!e) return false;
    const { stdout: out, stderr: err } = j.output(e);
    const res = { exitCode: e.exitCode, signal: e.signal, start: 0, end: 0 };
    const printed = collector.start(job.seq, hooks.tag(job, 1));
    if (deliver) deliver(job, res, [out], [err]);
    else {
      printed.onStdout(out);
      printed.onStderr(err);
    }
    collector.finish(job.seq);
    return 'replayed' as const;
  };
  const hooks: JobHooks = {
    command: (job, slot) =>
      p.command.expand({ args: job.args, seq: job.seq, slot, total: p.total, slots: highestSlot(spec) }),
    tag: (job, slot) =>
      p.tag
        ? p.tag.expand({ args: job.args, seq: job.seq, slot, total: p.total })
        : spec.output.tag
          ? job.args.join(' ')
          : '',
    // With a journal, the journal says what is done (it holds the output); a joblog is only appended to.
    skip: journal
      ? journal.resuming
        ? (job) => replay(journal, job)
        : undefined
      : resumed
        ? (job) =>
            resumed.succeeded.has(job.seq) || (spec.resume === 'skip-done' && resumed.failed.has(job.seq))
        : undefined,
    done: journal
      ? (job, res, out, err) => {
          journal.record(job, res, out, err);
          deliver?.(job, res, out, err);
        }
      : deliver,
    alsoPrint: journal !== undefined && deliver === undefined,
  };

  const reuse =
    spec.cache || spec.dedupe
      ? new Reuse(
          {
            cache,
            dedupe: spec.dedupe && {
              windowMs:
                spec.dedupe.windowSeconds === undefined ? undefined : spec.dedupe.windowSeconds * 1000,
            },
            env: (spec.cache?.env ?? []).map((name) => [name, baseEnv[name]] as const),
            resumed: journal?.resuming
              ? (seq) => journal.holds(seq)
              : resumed
                ? (seq) => resumed.succeeded.has(seq) || resumed.failed.has(seq)
                : undefined,
          },
          bus,
          collector,
          hooks,
        )
      : undefined;
  const executor = reuse ? reuse.wrap(local) : local;
  // -j auto: a controller resizes the slots after each job (docs/scheduling.md).
  const maxJobs = spec.maxJobs ?? MAX_SLOTS;
  const auto =
    spec.jobs === 'auto'
      ? new AdaptiveLimit({
          max: maxJobs,
          onChange: (change) => bus.emit({ type: 'concurrency_changed', ...change }),
        })
      : undefined;
  const slots = auto ? auto.current : (spec.jobs as number);
  bus.emit({
    type: 'run_started',
    jobs: slots,
    maxJobs: auto ? maxJobs : undefined,
    startedAt: started,
    total: p.total,
    totalBytes: pipeInputBytes(spec, stdin),
  });
  try {
    const counts = await schedule(reuse ? reuse.filter(p.jobs) : p.jobs, executor, collector, bus, hooks, {
      slots,
      onJobEnd: auto && ((s, outcome) => auto.onJobEnd(s, outcome)),
      attempts: retryPolicyFor({
        attempts: spec.retries,
        delay: spec.retryDelay,
        on: spec.retryOn,
        random: options.random,
      }),
      delayMs: spec.delay * 1000,
      timeout: spec.timeout,
      halt: spec.halt,
      total: p.total,
      signal: options.signal,
      killSignal: options.killSignal,
      gates,
    });
    await reuse?.finish();
    if (journal) {
      await journal.flush();
      // The replayed run stands for the whole run: failures stored in the journal count.
      counts.failed += journal.stats.replayedFailed;
    }
    // Held output (-k, groups, spill files) is written out before the run reports its end.
    await collector.idle();
    if (sink) {
      await Promise.all(pushes);
      // A run stopped early has no whole answer: none is printed, temporary files go.
      if (counts.interrupted) {
        killSink();
        await sink.abort();
      } else {
        if (counts.failed)
          stderr.write(`weft: ${counts.failed} job(s) failed; their output is not in the result\n`);
        counts.failed += (await sink.finish()).failed;
      }
    }
    const bad = p.chunkStats;
    if (bad?.skipped) stderr.write(`weft: skipped ${bad.skipped} bad record(s)\n`);
    if (bad?.quarantined) stderr.write(`weft: quarantined ${bad.quarantined} bad record(s)\n`);
    const summary = summarize(counts, reuse?.counts);
    bus.emit({ type: 'run_finished', summary });
    return summary;
  } catch (err) {
    killSink();
    await sink?.abort();
    throw err;
  } finally {
    options.killSignal?.removeEventListener('abort', killSink);
    await journal?.close();
    collector.close(); // spill files go, also after an error or a signal
    joblog?.close();
    await executor.close?.();
    p.close?.();
    report?.close(); // also after --halt, a signal or an error: what is known
  }

  function summarize(ran: ScheduleCounts, reused?: ReuseCounts): RunSummary {
    // Reused results count by their outcome, as if their jobs had run (exit status, --status).
    const c = reused
      ? { ...ran, succeeded: ran.succeeded + reused.succeeded, failed: ran.failed + reused.failed }
      : ran;
    const wallMs = Date.now() - started;
    // A signal that arrived while the answer was being folded still counts.
    const by = [options.signal, options.killSignal].find((s) => s?.aborted);
    const interrupted =
      c.interrupted || by
        ? SIGNAL_STATUS[String(by?.reason)]
          ? (String(by?.reason) as Interrupt)
          : 'SIGINT'
        : undefined;
    const exitCode = c.halted
      ? (c.haltExit ?? 0)
      : interrupted
        ? SIGNAL_STATUS[interrupted]
        : Math.min(c.failed, 101);
    return {
      jobs: c.jobs,
      succeeded: c.succeeded,
      failed: c.failed,
      skipped: c.skipped,
      retried: c.retried,
      ...(reused ? { cached: reused.cached, deduped: reused.deduped } : {}),
      halted: c.halted,
      interrupted,
      exitCode,
      wallMs,
      speedup: wallMs > 0 ? c.busyMs / wallMs : 0,
    };
  }
}
