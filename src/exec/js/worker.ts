// The worker thread of `--js`: loads the module once, then runs one job at a time for the
// main thread. Whatever the job prints (console.*, process.stdout/stderr) is its own output.
import { Console } from 'node:console';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerSetup } from './protocol.js';
import { errorText, runTask, type Task } from './task.js';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const encoder = new TextEncoder();

/** The running job's output buffers; what is printed between jobs goes nowhere. */
let out: Uint8Array[] = [];
let err: Uint8Array[] = [];
const capture =
  (target: () => Uint8Array[]) =>
  (chunk: unknown, ...rest: unknown[]) => {
    target().push(typeof chunk === 'string' ? encoder.encode(chunk) : new Uint8Array(chunk as Uint8Array));
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  };
process.stdout.write = capture(() => out) as typeof process.stdout.write;
process.stderr.write = capture(() => err) as typeof process.stderr.write;
globalThis.console = new Console({ stdout: process.stdout, stderr: process.stderr });

let task: Task;
try {
  const mod = (await import((workerData as WorkerSetup).moduleUrl)) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    throw new Error('its default export is not a function: export default async (input, ctx) => output');
  }
  task = mod.default as Task;
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'load-error', message: e instanceof Error ? e.message : String(e) });
  process.exit(1);
}

let current: { id: number; abort: AbortController } | undefined;

port.on('message', (m: ToWorker) => {
  if (m.type === 'abort') {
    if (current?.id === m.id) current.abort.abort();
    return;
  }
  const abort = new AbortController();
  current = { id: m.id, abort };
  out = [];
  err = [];
  const ctx = { seq: m.seq, slot: m.slot, args: m.args, signal: abort.signal };
  runTask(task, m.input, ctx, out, err).then(
    (r) => {
      current = undefined;
      post({ type: 'done', id: m.id, ...r });
    },
    (e: unknown) => {
      current = undefined;
      post({ type: 'done', id: m.id, stdout: out, stderr: [encoder.encode(errorText(e))], exitCode: 1 });
    },
  );
});
