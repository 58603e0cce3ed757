import type { TaskInput } from './task.js';

/** What a worker thread is started with. */
export interface WorkerSetup {
  /** The module whose default export runs each job (a file: URL). */
  moduleUrl: string;
}

/** Main thread → worker: run a job, or abort the one running. */
export type ToWorker =
  | { type: 'run'; id: number; seq: number; slot: number; args: string[]; input: TaskInput }
  | { type: 'abort'; id: number };

/** Worker → main thread: the module loaded (or not), a job ended. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-error'; message: string }
  | { type: 'done'; id: number; stdout: Uint8Array[]; stderr: Uint8Array[]; exitCode: number };
