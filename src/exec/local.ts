import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { feedStdin } from './feed.js';
import { canCopyRanges, rangeSpawn } from './range-copy.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

/** How long a job has between TERM and KILL. */
export const KILL_GRACE_MS = 2000;

const signalNumber = (name: NodeJS.Signals | null): number =>
  name ? ((constants.signals as Record<string, number>)[name] ?? 0) : 0;

/** Sends `sig` to the job's whole process group; a group that is gone is fine. */
export function killGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs each job as `shell -c command` in its own process group, so a timeout or an
 * interrupt can end the job together with everything it started.
 */
export class LocalExecutor implements Executor {
  constructor(
    private readonly shell: string,
    private readonly env: Record<string, string>,
    private readonly cwd?: string,
  ) {}

  run(req: ExecRequest): Promise<ExecResult> {
    return new Promise((resolve) => {
      const start = Date.now();
      let stdin = req.stdin;
      let file = this.shell;
      let args = ['-c', req.command];
      const extra: number[] = [];
      if (stdin.kind === 'range' && canCopyRanges()) {
        const r = rangeSpawn(this.shell, req.command, stdin.range);
        ({ file, args } = r);
        if (r.fd !== undefined) extra.push(r.fd);
        // Only the header (if any) still goes through weft.
        stdin = stdin.range.prefix?.length ? { kind: 'buffer', data: stdin.range.prefix } : { kind: 'none' };
      }
      const child = spawn(file, args, {
        detached: true,
        cwd: this.cwd,
        env: { ...this.env, ...req.env, PARALLEL_SEQ: String(req.seq), PARALLEL_JOBSLOT: String(req.slot) },
        stdio: [stdin.kind === 'none' ? 'ignore' : 'pipe', 'pipe', 'pipe', ...extra],
      });
      let killed: ExecResult['killed'];
      let graceTimer: NodeJS.Timeout | undefined;
      const stop = (why: NonNullable<ExecResult['killed']>) => {
        if (killed || !child.pid) return;
        killed = why;
        killGroup(child.pid, 'SIGTERM');
        graceTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
        graceTimer.unref();
      };
      const timer =
        req.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), req.timeoutMs) : undefined;
      const onAbort = () => stop(req.signal?.reason === 'halt' ? 'halt' : 'interrupt');
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.signal?.aborted) onAbort();

      child.stdout!.on('data', req.onStdout);
      child.stderr!.on('data', req.onStderr);
      // A job that exits without reading all its input is normal (EPIPE), not an error.
      const fed = new AbortController();
      if (child.stdin) void feedStdin(stdin, child.stdin, fed.signal);

      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
      const finish = () => {
        if (settled || !exit) return;
        settled = true;
        fed.abort();
        // Nothing more is written from the chunk after this (pipe mode reuses its buffer).
        child.stdin?.destroy();
        clearTimeout(timer);
        clearTimeout(graceTimer);
        clearTimeout(drainTimer);
        req.signal?.removeEventListener('abort', onAbort);
        // Whatever the job left running in its group goes with it when weft ended the job.
        if (killed && child.pid) killGroup(child.pid, 'SIGKILL');
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
        req.onStderr(Buffer.from(`weft: cannot start ${this.shell}: ${err.message}\n`));
        exit = { code: 127, sig: null };
        finish();
      });
      child.on('exit', (code, sig) => {
        exit = { code, sig };
        fed.abort();
        // Output normally ends with the exit; a background grandchild may keep the pipes
        // open, so do not wait for it forever. The check runs after the loop's next poll for
        // I/O: when weft itself was held up (a loaded machine), output already waiting in
        // the pipes is read first instead of dropped.
        drainTimer = setTimeout(
          () =>
            setImmediate(() => {
              child.stdout?.destroy();
              child.stderr?.destroy();
              finish();
            }),
          200,
        );
      });
      child.on('close', finish);
    });
  }
}
