import { open } from 'node:fs/promises';

/** What a JavaScript job gets besides its input. */
export interface TaskContext {
  /** The job's sequence number ({#}, PARALLEL_SEQ). */
  seq: number;
  /** Its slot ({%}, PARALLEL_JOBSLOT). */
  slot: number;
  /** Its arguments (empty in pipe mode). */
  args: string[];
  /** Aborted when weft stops the job (--timeout, --halt now, a signal). */
  signal: AbortSignal;
}

/**
 * A job written in JavaScript: `--js module.mjs`'s default export, or `run(spec, { task })`.
 * `input` is the chunk as text in pipe mode, else the job's arguments. The result is the job's
 * stdout: a string or bytes as they are, nothing for undefined or null, anything else as JSON
 * and a newline. A throw fails the job (exit 1) with the error on its stderr.
 */
export type Task = (input: string | string[], ctx: TaskContext) => unknown;

/** A job's input as it crosses to a worker thread: its arguments, a chunk, or a range of a file. */
export type TaskInput =
  | { kind: 'args' }
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'range'; path: string; start: number; end: number; prefix?: Uint8Array };

/** How a JavaScript job ended: its output and an exit status, as a process's. */
export interface TaskOutcome {
  stdout: Uint8Array[];
  stderr: Uint8Array[];
  exitCode: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The job's stdout for a task's return value. */
export function outputOf(value: unknown): Uint8Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  return encoder.encode(JSON.stringify(value) + '\n');
}

/** The text of a chunk, or of a range of a file (`--pipepart`). */
export async function inputText(input: TaskInput): Promise<string | undefined> {
  if (input.kind === 'args') return undefined;
  if (input.kind === 'bytes') return decoder.decode(input.data);
  const buf = Buffer.alloc(Math.max(0, input.end - input.start));
  const fh = await open(input.path, 'r');
  try {
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, input.start + off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const text = decoder.decode(buf);
  return input.prefix?.length ? decoder.decode(input.prefix) + text : text;
}

/** This file as stack frames name it (dist/exec/js/task.js, or the CLI bundle). */
const HERE = import.meta.url;

/**
 * What a thrown value says on the job's stderr: its stack when it has one, as node prints an
 * uncaught error, without weft's own frames below the task's.
 */
export function errorText(err: unknown): string {
  const stack = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  const text = stack
    .split('\n')
    .filter((l) => !(l.trimStart().startsWith('at ') && l.includes(HERE)))
    .join('\n');
  return text.endsWith('\n') ? text : text + '\n';
}

/**
 * Runs one job: reads its input, calls the task, turns the result or the throw into output
 * and an exit status. `out` and `err` collect what the task itself prints.
 */
export async function runTask(
  task: Task,
  input: TaskInput,
  ctx: TaskContext,
  out: Uint8Array[] = [],
  err: Uint8Array[] = [],
): Promise<TaskOutcome> {
  try {
    const text = await inputText(input);
    const value = await task(text ?? ctx.args, ctx);
    const bytes = outputOf(value);
    if (bytes?.length) out.push(bytes);
    return { stdout: out, stderr: err, exitCode: 0 };
  } catch (e) {
    err.push(encoder.encode(errorText(e)));
    return { stdout: out, stderr: err, exitCode: 1 };
  }
}
