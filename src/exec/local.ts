import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { getPriority } from 'node:os';
import type { Writable } from 'node:stream';
import { acquireGuard } from './guard.js';
import { DEFAULT_TERMSEQ, signalNumber, terminateGroup, type TermStep } from './terminate.js';
import type { ExecRequest, ExecResult, Executor, JobStdin } from './types.js';

/** How the local executors start and end jobs. */
export interface ExecOptions {
  /** How a job weft ends (timeout, --halt now, a second signal) is killed (GNU --termseq). */
  termSeq?: readonly TermStep[];
  /** Run jobs at this niceness (GNU --nice: absolute, as setpriority). */
  nice?: number;
  /** Start the orphan guard (src/exec/guard.ts) while jobs run; default true. */
  guard?: boolean;
}

/** The argv prefix that runs a command at niceness `nice` (relative to weft's own). */
export function nicePrefix(nice: number | undefined): string[] {
  if (nice === undefined) return [];
  let own = 0;
  try {
    own = getPriority();
  } catch {
    // unknown: assume 0
  }
  return nice === own ? [] : ['nice', '-n', String(nice - own)];
}

function feed(stdin: JobStdin, sink: Writable | null): void {
  if (!sink) return;
  // A job that exits without reading its input is normal (EPIPE), not an error.
  sink.on('error', () => {});
  if (stdin.kind === 'buffer') sink.end(stdin.data);
  else if (stdin.kind === 'range') {
    const { path, start, end, prefix } = stdin.range;
    if (prefix?.length) sink.write(prefix);
    if (end <= start) sink.end();
    else createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }).pipe(sink);
  }
}

/** Why an abort of the request's signal ends the job. */
export const abortReason = (signal?: AbortSignal): NonNullable<ExecResult['killed']> =>
  signal?.reason === 'halt' ? 'halt' : 'interrupt';

/**
 * Runs each job as `shell -c command` in its own process group, so a timeout or an
 * interrupt can end the job together with everything it started.
 */
export class LocalExecutor implements Executor {
  private readonly termSeq: readonly TermStep[];
  private readonly argv0: string[];
  private release?: () => void;

  constructor(
    private readonly shell: string,
    private readonly env: Record<string, string>,
    private readonly cwd?: string,
    private readonly opts: ExecOptions = {},
  ) {
    this.termSeq = opts.termSeq ?? DEFAULT_TERMSEQ;
    this.argv0 = [...nicePrefix(opts.nice), shell];
  }

  run(req: ExecRequest): Promise<ExecResult> {
    return new Promise((resolve) => {
      const start = Date.now();
      const [file, ...pre] = this.argv0;
      const child = spawn(file, [...pre, '-c', req.command], {
        detached: true,
        cwd: this.cwd,
        env: { ...this.env, PARALLEL_SEQ: String(req.seq), PARALLEL_JOBSLOT: String(req.slot) },
        stdio: [req.stdin.kind === 'none' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      // After the job's own spawn, so the guard's start-up never delays the first job.
      if (this.opts.guard !== false) this.release ??= acquireGuard();
      let killed: ExecResult['killed'];
      let ended: Promise<void> | undefined;
      const stop = (why: NonNullable<ExecResult['killed']>) => {
        if (killed || !child.pid) return;
        killed = why;
        ended = terminateGroup(child.pid, this.termSeq);
      };
      const timer =
        req.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), req.timeoutMs) : undefined;
      const onAbort = () => stop(abortReason(req.signal));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.signal?.aborted) onAbort();

      child.stdout!.on('data', req.onStdout);
      child.stderr!.on('data', req.onStderr);
      feed(req.stdin, child.stdin);

      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
      const finish = async () => {
        if (settled || !exit) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(drainTimer);
        req.signal?.removeEventListener('abort', onAbort);
        // Whatever the job left running in its group goes with it when weft ended the job.
        await ended;
        resolve({
          // GNU's joblog: a timed-out job has exit value -1; one ended by a signal, 0.
          exitCode: killed === 'timeout' ? -1 : (exit.code ?? 0),
          signal: signalNumber(exit.sig),
          killed,
          start,
          end: Date.now(),
        });
      };
      child.on('error', (err) => {
        req.onStderr(Buffer.from(`weft: cannot start ${file}: ${err.message}\n`));
        exit = { code: 127, sig: null };
        void finish();
      });
      child.on('exit', (code, sig) => {
        exit = { code, sig };
        // Output normally ends with the exit; a background grandchild may keep the pipes
        // open, so do not wait for it forever.
        drainTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          void finish();
        }, 200);
      });
      child.on('close', () => void finish());
    });
  }

  async close(): Promise<void> {
    this.release?.();
    this.release = undefined;
  }
}
