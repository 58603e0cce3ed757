import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { WeftError } from '../../errors.js';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import type { TaskInput, TaskOutcome } from './task.js';

/** How long a stopped job has to settle after its signal aborts, before its thread is ended. */
export const JS_GRACE_MS = 500;

/**
 * The worker entry beside this module: tsc puts it at dist/exec/js/worker.js, and the CLI
 * bundle (dist/weft.cjs) finds it there too; tests running the sources use the built one.
 */
export function workerFile(): URL {
  const candidates = [
    new URL('./worker.js', import.meta.url),
    new URL('./exec/js/worker.js', import.meta.url),
    new URL('../../../dist/exec/js/worker.js', import.meta.url),
  ];
  const found = candidates.find((u) => !u.pathname.endsWith('.ts') && existsSync(fileURLToPath(u)));
  if (!found)
    throw new WeftError('E_INTERNAL', 'the --js worker (dist/exec/js/worker.js) is missing: npm run build');
  return found;
}

/** One job as the pool runs it. */
export interface PoolJob {
  seq: number;
  slot: number;
  args: string[];
  input: TaskInput;
  /** Aborting stops the job: its signal aborts, and its thread ends after JS_GRACE_MS. */
  signal: AbortSignal;
}

/** A job's outcome; `ended` when its thread had to be ended (it did not settle in time). */
export type PoolOutcome = TaskOutcome & { ended?: boolean };

/** One worker thread with the module loaded, running one job at a time. */
class Thread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  alive = true;
  private job?: { id: number; resolve(o: PoolOutcome): void };
  private ids = 0;

  constructor(WorkerClass: typeof Worker, file: URL, setup: WorkerSetup, label: string) {
    this.worker = new WorkerClass(file, { workerData: setup, stdout: false, stderr: false });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'load-error') reject(new WeftError('E_JS', `${label}: ${m.message}`));
        else if (m.type === 'done' && this.job?.id === m.id) {
          const j = this.job;
          this.job = undefined;
          j.resolve({ stdout: m.stdout, stderr: m.stderr, exitCode: m.exitCode });
        }
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', (e) => {
        reject(new WeftError('E_JS', `${label}: ${e.message}`));
        this.fail(Buffer.from(`${e.stack ?? e.message}\n`), 1);
      });
      this.worker.on('exit', (code) => {
        reject(new WeftError('E_JS', `${label}: the worker thread exited (${code}) while loading`));
        this.fail(Buffer.from(`weft: the job's thread exited with status ${code}\n`), code || 1);
      });
    });
    // The first job awaits `ready`; a module that fails to load fails the run, not each job.
    this.ready.catch(() => {});
  }

  private fail(message: Buffer, exitCode: number): void {
    this.alive = false;
    const j = this.job;
    this.job = undefined;
    j?.resolve({ stdout: [], stderr: [message], exitCode });
  }

  run(job: PoolJob): Promise<PoolOutcome> {
    const id = ++this.ids;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        this.worker.postMessage({ type: 'abort', id } satisfies ToWorker);
        timer = setTimeout(() => {
          if (this.job?.id !== id) return;
          this.job = undefined;
          this.alive = false;
          void this.worker.terminate();
          resolve({ stdout: [], stderr: [], exitCode: 1, ended: true });
        }, JS_GRACE_MS);
      };
      this.job = {
        id,
        resolve: (o) => {
          clearTimeout(timer);
          job.signal.removeEventListener('abort', onAbort);
          resolve(o);
        },
      };
      job.signal.addEventListener('abort', onAbort, { once: true });
      const { seq, slot, args, input } = job;
      // A chunk's bytes move to the thread instead of being copied (the executor gave it its own buffer).
      const transfer = input.kind === 'bytes' ? [input.data.buffer as ArrayBuffer] : [];
      this.worker.postMessage({ type: 'run', id, seq, slot, args, input } satisfies ToWorker, transfer);
      if (job.signal.aborted) onAbort();
    });
  }
}

/**
 * A thread per job slot, started when the slot first runs a job and replaced when a job had
 * to be ended, so the scheduler's slots bound the threads as they bound processes (and
 * `-j auto` can add slots). Hand-written on node:worker_threads: see docs/benchmarks.md for
 * how it measured against piscina.
 */
export class WorkerPool {
  private readonly threads = new Map<number, Thread>();
  private readonly file = workerFile();
  /** node:worker_threads, loaded by start(): the CLI bundle must not load it at start-up. */
  private WorkerClass?: typeof Worker;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly label: string,
  ) {}

  private thread(slot: number): Thread {
    let t = this.threads.get(slot);
    if (!t || !t.alive) {
      t = new Thread(this.WorkerClass!, this.file, this.setup, this.label);
      this.threads.set(slot, t);
    }
    return t;
  }

  /** Starts slot 1's thread and waits for the module to load: a bad module fails here. */
  async start(): Promise<void> {
    this.WorkerClass = (await import('node:worker_threads')).Worker;
    await this.thread(1).ready;
  }

  async run(job: PoolJob): Promise<PoolOutcome> {
    const t = this.thread(job.slot);
    try {
      await t.ready;
    } catch (e) {
      return { stdout: [], stderr: [Buffer.from(`${(e as Error).message}\n`)], exitCode: 1 };
    }
    return t.run(job);
  }

  async close(): Promise<void> {
    const all = [...this.threads.values()];
    this.threads.clear();
    await Promise.all(all.map((t) => t.worker.terminate()));
  }
}
