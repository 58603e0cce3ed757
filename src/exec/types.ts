import type { FileRange } from '../chunk/pipepart.js';

/**
 * A chunk that reaches the job while it runs, through a descriptor weft hands to it as its
 * stdin (pipe mode's relay, src/chunk/relay): it cannot be read twice, so such a job is never
 * retried, cached or journalled.
 */
export interface LiveInput {
  /** The descriptor to give the job as its stdin; the executor closes its copy after the spawn. */
  open(): number;
  /** The job has ended, or could not start: whatever it left unread is drained, so the input stays in step. */
  ended(): void;
}

/**
 * What a job's stdin is: nothing (/dev/null), a chunk in memory, a range of a file, a
 * stream of chunks that arrive while the job runs (`--round-robin`: one job, many blocks),
 * or a chunk relayed from weft's own stdin while the job runs (`live`).
 */
export type JobStdin =
  | { kind: 'none' }
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'range'; range: FileRange }
  | { kind: 'stream'; chunks: AsyncIterable<Buffer> }
  | { kind: 'live'; live: LiveInput };

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
