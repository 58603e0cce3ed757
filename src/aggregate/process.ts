import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { killGroup, signalNumber, terminateGroup } from '../exec/terminate.js';

/** How a reduce process ended. */
export interface ReduceExit {
  exitCode: number;
  /** Signal number that ended it, 0 if none. */
  signal: number;
  /** Set when weft ended it because the run was aborted. */
  killed?: 'interrupt';
}

/** A `shell -c cmd` child in its own process group. */
export interface GroupChild {
  stdin: Writable;
  stdout: Readable;
  /** Settles once the process has exited and its output has ended (never rejects). */
  done: Promise<ReduceExit>;
  /** Ends the whole group as GNU's default --termseq does (TERM, …, KILL). */
  kill(): void;
}

/**
 * Starts `shell -c cmd` detached (its own process group, like every weft job) with piped
 * stdin/stdout; its stderr goes to `stderr` as it arrives. Aborting `signal` kills the group.
 * A shell that cannot start reports on `stderr` and ends with exit code 127.
 */
export function spawnGroup(opts: {
  shell: string;
  cmd: string;
  env: Record<string, string>;
  stderr: Writable;
  signal?: AbortSignal;
}): GroupChild {
  const child = spawn(opts.shell, ['-c', opts.cmd], {
    detached: true,
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // A reducer that exits without reading all its input is its own business (EPIPE).
  child.stdin.on('error', () => {});
  child.stderr.on('data', (b: Buffer) => opts.stderr.write(b));
  let killed = false;
  let ended: Promise<void> | undefined;
  const kill = (): void => {
    if (killed || !child.pid) return;
    killed = true;
    ended = terminateGroup(child.pid);
  };
  const onAbort = (): void => kill();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  const done = new Promise<ReduceExit>((resolve) => {
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = async (): Promise<void> => {
      if (settled || !exit) return;
      settled = true;
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      await ended;
      if (killed && child.pid) killGroup(child.pid, 'SIGKILL');
      resolve({
        exitCode: exit.code ?? 0,
        signal: signalNumber(exit.sig),
        ...(killed ? { killed: 'interrupt' } : {}),
      });
    };
    child.on('error', (err) => {
      opts.stderr.write(`weft: cannot start ${opts.shell}: ${err.message}\n`);
      exit = { code: 127, sig: null };
      void finish();
    });
    child.on('exit', (code, sig) => {
      exit = { code, sig };
      // A background grandchild may hold the pipes open; do not wait for it forever.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        void finish();
      }, 200);
    });
    child.on('close', () => void finish());
  });
  return { stdin: child.stdin, stdout: child.stdout, done, kill };
}

/**
 * Writes `data` to a child's stdin and waits while the pipe is full; resolves false once the
 * child no longer reads (stdin closed or broken), true otherwise.
 */
export function writeAll(stdin: Writable, data: Buffer): Promise<boolean> {
  if (stdin.destroyed || stdin.writableEnded) return Promise.resolve(false);
  if (stdin.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      stdin.off('drain', onDrain);
      stdin.off('close', onClose);
      stdin.off('error', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    stdin.on('drain', onDrain);
    stdin.on('close', onClose);
    stdin.on('error', onClose);
  });
}
