import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { abortReason, nicePrefix, type ExecOptions } from './local.js';
import { simpleArgv } from './simple-command.js';
import { DEFAULT_TERMSEQ, killGroup, terminateGroup, type TermStep } from './terminate.js';
import type { ExecRequest, ExecResult } from './types.js';

/**
 * The driver each slot's shell runs: read a job (seq, slot, then either 0 and a command
 * line for `$SHELL -c`, or N and the N words of a plain command; NUL-separated), start it
 * in its own process group (`set -m`), report its pid and exit status on fd 3, and end its
 * stdout (fd 1) and stderr (fd 4) with a marker so weft knows where a job's output stops.
 * The shell's own stderr (job notices) is discarded.
 */
const DRIVER = `set -m
shell=$WEFT_SHELL mark=$WEFT_MARK
unset WEFT_SHELL WEFT_MARK
while IFS= read -r -d '' seq && IFS= read -r -d '' slot && IFS= read -r -d '' n; do
  if [ "$n" = 0 ]; then
    IFS= read -r -d '' cmd
    PARALLEL_SEQ=$seq PARALLEL_JOBSLOT=$slot "$shell" -c "$cmd" </dev/null 2>&4 3>&- 4>&- &
  else
    argv=()
    for ((i = 0; i < n; i++)); do IFS= read -r -d '' a; argv+=("$a"); done
    PARALLEL_SEQ=$seq PARALLEL_JOBSLOT=$slot "\${argv[@]}" </dev/null 2>&4 3>&- 4>&- &
  fi
  pid=$!
  printf 'P %s\\n' "$pid" >&3
  wait "$pid"; st=$?
  printf '%s' "$mark"; printf '%s' "$mark" >&4
  printf 'E %s\\n' "$st" >&3
done`;

/** The bash that runs the driver, if the machine has one. */
export const DRIVER_SHELL = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p));

/** Splits a stream at a marker; the bytes before it belong to the running job. */
class MarkedStream {
  private tail = Buffer.alloc(0);
  onData: (b: Buffer) => void = () => {};
  onMark: () => void = () => {};

  constructor(
    stream: Readable,
    private readonly mark: Buffer,
  ) {
    stream.on('data', (chunk: Buffer) => this.push(chunk));
  }

  private push(chunk: Buffer): void {
    let buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    for (let i = buf.indexOf(this.mark); i >= 0; i = buf.indexOf(this.mark)) {
      if (i > 0) this.onData(buf.subarray(0, i));
      buf = buf.subarray(i + this.mark.length);
      this.onMark();
    }
    // Hold back only a tail that could be the start of the marker; the rest is output now.
    let keep = Math.min(buf.length, this.mark.length - 1);
    while (keep > 0 && !this.mark.subarray(0, keep).equals(buf.subarray(buf.length - keep))) keep--;
    if (buf.length > keep) this.onData(buf.subarray(0, buf.length - keep));
    this.tail = Buffer.from(buf.subarray(buf.length - keep));
  }
}

interface Running {
  req: ExecRequest;
  resolve(r: ExecResult): void;
  start: number;
  pid?: number;
  status?: number;
  marks: number;
  killed?: ExecResult['killed'];
  /** Settles once a killed job's group is gone (--termseq). */
  ended?: Promise<void>;
  timers: NodeJS.Timeout[];
}

/**
 * One persistent shell per job slot: starting a job costs a write to a pipe instead of a
 * fork of weft itself, so dispatch is no longer limited by weft's main thread. The job
 * still runs as `$SHELL -c command` in its own process group, with its own
 * PARALLEL_SEQ/PARALLEL_JOBSLOT, stdin from /dev/null and separate stdout/stderr.
 */
export class SlotShell {
  private readonly child: ChildProcess;
  private current?: Running;
  private dead = false;

  /** Plain commands skip the inner shell only when that shell is bash, the driver's own. */
  private readonly direct: boolean;
  private readonly termSeq: readonly TermStep[];

  constructor(shell: string, env: Record<string, string>, cwd?: string, opts: ExecOptions = {}) {
    this.direct = /\/bash$/.test(shell);
    this.termSeq = opts.termSeq ?? DEFAULT_TERMSEQ;
    const mark = randomHex(16);
    // --nice: the slot shell itself runs at that niceness, and every job inherits it.
    const [file, ...pre] = [...nicePrefix(opts.nice), DRIVER_SHELL!];
    this.child = spawn(file, [...pre, '-c', DRIVER], {
      detached: true,
      cwd,
      env: { ...env, WEFT_SHELL: shell, WEFT_MARK: mark },
      stdio: ['pipe', 'pipe', 'ignore', 'pipe', 'pipe'],
    });
    const markBuf = Buffer.from(mark);
    const out = new MarkedStream(this.child.stdout!, markBuf);
    const err = new MarkedStream(this.child.stdio[4] as Readable, markBuf);
    out.onData = (b) => this.current?.req.onStdout(b);
    err.onData = (b) => this.current?.req.onStderr(b);
    out.onMark = err.onMark = () => this.progress(() => this.current!.marks++);
    let lines = '';
    (this.child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      lines += chunk.toString('latin1');
      for (let nl = lines.indexOf('\n'); nl >= 0; nl = lines.indexOf('\n')) {
        const [kind, value] = lines.slice(0, nl).split(' ');
        lines = lines.slice(nl + 1);
        this.progress(() => {
          if (kind === 'P') this.started(Number(value));
          else this.current!.status = Number(value);
        });
      }
    });
    this.child.stdin!.on('error', () => {});
    this.child.on('exit', () => {
      this.dead = true;
      const r = this.current;
      if (r) this.settle(r, 255);
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  private progress(update: () => void): void {
    const r = this.current;
    if (!r) return;
    update();
    if (r.status !== undefined && r.marks >= 2) this.settle(r, r.status);
  }

  private started(pid: number): void {
    const r = this.current!;
    r.pid = pid;
    if (r.killed) r.ended = terminateGroup(pid, this.termSeq);
  }

  private settle(r: Running, status: number): void {
    if (this.current !== r) return;
    this.current = undefined;
    r.timers.forEach(clearTimeout);
    r.req.signal?.removeEventListener('abort', this.onAbort);
    // The shell only sees 128+N for a job killed by signal N.
    const signal = status > 128 && status < 160 ? status - 128 : 0;
    // Whatever the job left running in its group goes with it when weft ended the job.
    void Promise.resolve(r.ended).then(() =>
      r.resolve({
        exitCode: r.killed === 'timeout' ? -1 : signal ? 0 : status,
        signal,
        killed: r.killed,
        start: r.start,
        end: Date.now(),
      }),
    );
  }

  private readonly onAbort = () => {
    const r = this.current;
    if (r) this.stop(r, abortReason(r.req.signal));
  };

  private stop(r: Running, why: NonNullable<ExecResult['killed']>): void {
    if (r.killed) return;
    r.killed = why;
    if (r.pid) r.ended = terminateGroup(r.pid, this.termSeq);
  }

  run(req: ExecRequest): Promise<ExecResult> {
    return new Promise((resolve) => {
      const r: Running = { req, resolve, start: Date.now(), marks: 0, timers: [] };
      this.current = r;
      if (req.timeoutMs !== undefined)
        r.timers.push(setTimeout(() => this.stop(r, 'timeout'), req.timeoutMs));
      req.signal?.addEventListener('abort', this.onAbort, { once: true });
      if (req.signal?.aborted) this.onAbort();
      const argv = this.direct ? simpleArgv(req.command) : undefined;
      const job = argv ? `${argv.length}\0${argv.join('\0')}` : `0\0${req.command}`;
      this.child.stdin!.write(`${req.seq}\0${req.slot}\0${job}\0`);
    });
  }

  close(): void {
    this.child.stdin!.end();
    if (this.child.pid) killGroup(this.child.pid, 'SIGTERM');
  }
}

/**
 * `n` random bytes as hex, from /dev/urandom: the slot shell's marker is made on every run,
 * and node:crypto would add its start-up cost (see builtins.ts) to each of them.
 */
function randomHex(n: number): string {
  const b = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, b, 0, n, null);
  } finally {
    closeSync(fd);
  }
  return b.toString('hex');
}
