import { WeftError } from '../../errors.js';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileError } from '../../errors.js';
import { pathToFileURL } from 'node:url';
import type { ExecRequest, ExecResult, Executor } from '../types.js';
import { WorkerPool } from './pool.js';
import { runTask, type Task, type TaskInput, type TaskOutcome } from './task.js';

/** The job's input as a task takes it; a chunk is copied to a buffer of its own (transferable). */
function taskInput(req: ExecRequest): TaskInput {
  const s = req.stdin;
  if (s.kind === 'none') return { kind: 'args' };
  if (s.kind === 'buffer') return { kind: 'bytes', data: new Uint8Array(s.data) };
  // --round-robin feeds a job many blocks on one stdin; a task takes one input.
  if (s.kind === 'stream') throw new WeftError('E_USAGE', '--js cannot take --round-robin input');
  if (s.kind === 'live') throw new WeftError('E_INTERNAL', 'a relayed chunk cannot go to a --js job');
  const { path, start, end, prefix } = s.range;
  return { kind: 'range', path, start, end, prefix: prefix && new Uint8Array(prefix) };
}

/**
 * Runs a JavaScript job under the request's timeout and kill signal: `job` gets a signal that
 * aborts when either fires, and the result says why weft stopped it, as a process's would.
 */
async function runStoppable(
  req: ExecRequest,
  job: (signal: AbortSignal) => Promise<TaskOutcome & { ended?: boolean }>,
): Promise<ExecResult> {
  const start = Date.now();
  const stop = new AbortController();
  let killed: ExecResult['killed'];
  const timer =
    req.timeoutMs !== undefined
      ? setTimeout(() => {
          killed ??= 'timeout';
          stop.abort();
        }, req.timeoutMs)
      : undefined;
  const onKill = () => {
    killed ??= req.signal?.reason === 'halt' ? 'halt' : 'interrupt';
    stop.abort();
  };
  req.signal?.addEventListener('abort', onKill, { once: true });
  if (req.signal?.aborted) onKill();
  try {
    const o = await job(stop.signal);
    for (const b of o.stdout) req.onStdout(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    for (const b of o.stderr) req.onStderr(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    // As for processes (GNU's joblog): a timed-out job has exit value -1.
    return { exitCode: killed === 'timeout' ? -1 : o.exitCode, signal: 0, killed, start, end: Date.now() };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onKill);
  }
}

/**
 * `--js module.mjs`: each job runs the module's default export in a pool of worker threads,
 * one thread per job slot — for transforms where starting a process costs more than the work.
 */
export class JsExecutor implements Executor {
  private readonly pool: WorkerPool;

  constructor(private readonly module: string) {
    this.pool = new WorkerPool({ moduleUrl: pathToFileURL(resolve(module)).href }, module);
  }

  /** Loads the module in a first thread; a module that cannot load throws a WeftError (E_JS). */
  async start(): Promise<this> {
    try {
      await access(this.module, constants.R_OK);
    } catch (err) {
      throw fileError(this.module, err);
    }
    await this.pool.start();
    return this;
  }

  run(req: ExecRequest): Promise<ExecResult> {
    return runStoppable(req, (signal) =>
      this.pool.run({ seq: req.seq, slot: req.slot, args: req.args ?? [], input: taskInput(req), signal }),
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * `run(spec, { task })`: a function runs each job on the main thread (functions cannot cross to
 * a worker thread). Suits I/O-bound work (requests, queries); a stopped job's signal aborts and
 * its result is no longer awaited.
 */
export class TaskExecutor implements Executor {
  constructor(private readonly task: Task) {}

  run(req: ExecRequest): Promise<ExecResult> {
    return runStoppable(req, (signal) => {
      const ctx = { seq: req.seq, slot: req.slot, args: req.args ?? [], signal };
      const done = runTask(this.task, taskInput(req), ctx);
      const stopped = new Promise<TaskOutcome>((resolve) =>
        signal.addEventListener('abort', () => resolve({ stdout: [], stderr: [], exitCode: 1 }), {
          once: true,
        }),
      );
      return Promise.race([done, stopped]);
    });
  }
}
