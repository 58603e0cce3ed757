import type { FileRange } from '../chunk/pipepart.js';

/**
 * What a job's stdin is: nothing (/dev/null), a chunk in memory, a range of a file, or a
 * stream of chunks that arrive while the job runs (`--round-robin`: one job, many blocks).
 */
export type JobStdin =
  | { kind: 'none' }
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'range'; range: FileRange }
  | { kind: 'stream'; chunks: AsyncIterable<Buffer> };

/** One attempt at running a job. */
export interface ExecRequest {
  seq: number;
  /** The job slot (1..jobs); PARALLEL_JOBSLOT. */
  slot: number;
  command: string;
  /** The job's arguments (JavaScript jobs take them as their input). */
  args?: string[];
  stdin: JobStdin;
  /** Extra environment of this job alone (e.g. PARALLEL_TMP with `--cat`). */
  env?: Record<string, string>;
  /** Kill the job (its whole process group) after this many milliseconds. */
  timeoutMs?: number;
  /** Aborting kills the job's process group. */
  signal?: AbortSignal;
  /** Output as it arrives. */
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/** How an attempt ended. Success and failure have the same shape. */
export interface ExecResult {
  exitCode: number;
  /** Signal number that ended the job, 0 if none. */
  signal: number;
  /** Why weft ended it, if it did. */
  killed?: 'timeout' | 'halt' | 'interrupt';
  /** Epoch milliseconds. */
  start: number;
  end: number;
}

/** Runs commands somewhere: a local process, a persistent shell, a queue. */
export interface Executor {
  run(req: ExecRequest): Promise<ExecResult>;
  /** Releases whatever the executor holds (shells, connections). */
  close?(): Promise<void>;
}
