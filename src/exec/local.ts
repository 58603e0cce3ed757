import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { getPriority } from 'node:os';
import type { Writable } from 'node:stream';
import { acquireGuard } from './guard.js';
import { DEFAULT_TERMSEQ, signalNumber, terminateGroup, type TermStep } from './terminate.js';
import { encodeRaw, hasRawBytes } from '../raw-text.js';
import { feedStdin } from './feed.js';
import { canCopyRanges, rangeSpawn } from './range-copy.js';
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

/** Why a spawn failed, for the job's stderr. */
function startError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'E2BIG') return 'the command line is too long for the system (E2BIG)';
  return e?.message ?? String(err);
}

/** Why an abort of the request's signal ends the job. */
export const abortReason = (signal?: AbortSignal): NonNullable<ExecResult['killed']> =>
  signal?.reason === 'halt' ? 'halt' : 'interrupt';

/**
 * What `shell -c` runs for a command line holding bytes that are not UTF-8: spawn arguments are
 * always UTF-8, so the line comes as bytes on fd 3 instead (the `.` keeps trailing newlines).
 */
const FROM_FD3 = 'cmd=$(cat <&3; echo .); exec 3<&-; eval "${cmd%.}"';

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
      const raw = hasRawBytes(req.command);
      const line = raw ? FROM_FD3 : req.command;
      let input: JobStdin = req.stdin;
      let words = [...this.argv0, '-c', line];
      const extra: ('pipe' | 'ignore' | number)[] = raw ? ['pipe'] : [];
      if (input.kind === 'range' && canCopyRanges()) {
        // The range reaches the job through dd beside it (a range of weft's stdin as fd 4).
        const r = rangeSpawn(this.shell, line, input.range, 4);
        words = [...this.argv0.slice(0, -1), r.file, ...r.args];
        if (r.fd !== undefined) extra.push(...(raw ? [] : ['ignore' as const]), r.fd);
        // Only the header (if any) still goes through weft.
        input = input.range.prefix?.length ? { kind: 'buffer', data: input.range.prefix } : { kind: 'none' };
      }
      // A relayed chunk: the job reads it from a descriptor it is given, not from weft.
      const live = input.kind === 'live' ? input.live : undefined;
      const stdin = live ? live.open() : input.kind === 'none' ? 'ignore' : 'pipe';
      const [file, ...args] = words;
      let child: ChildProcess;
      try {
        child = spawn(file, args, {
          detached: true,
          cwd: this.cwd,
          env: { ...this.env, ...req.env, PARALLEL_SEQ: String(req.seq), PARALLEL_JOBSLOT: String(req.slot) },
          stdio: [stdin, 'pipe', 'pipe', ...extra],
        });
      } catch (err) {
        // Node throws (rather than emitting 'error') for E2BIG: a command line over the
        // kernel's limit. That is this job's failure, as when the shell cannot exec a command.
        req.onStderr(Buffer.from(`weft: cannot start job ${req.seq}: ${startError(err)}\n`));
        live?.ended();
        resolve({ exitCode: 126, signal: 0, start, end: Date.now() });
        return;
      } finally {
        if (typeof stdin === 'number') closeSync(stdin);
      }
      if (raw) {
        const fd3 = child.stdio[3] as Writable;
        fd3.on('error', () => {});
        fd3.end(encodeRaw(req.command));
      }
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
      // A job that exits without reading all its input is normal (EPIPE), not an error.
      const fed = new AbortController();
      if (child.stdin) void feedStdin(input, child.stdin, fed.signal);

      let settled = false;
      let drainTimer: NodeJS.Timeout | undefined;
      let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
      const finish = async () => {
        if (settled || !exit) return;
        settled = true;
        fed.abort();
        // Nothing more is written from the chunk after this (pipe mode reuses its buffer).
        child.stdin?.destroy();
        live?.ended();
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
              void finish();
            }),
          200,
        );
      });
      child.on('close', () => void finish());
    });
  }

  async close(): Promise<void> {
    this.release?.();
    this.release = undefined;
  }
}
