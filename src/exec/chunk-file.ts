import { execFile } from 'node:child_process';
import { constants, createWriteStream, open, rmSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileError } from '../errors.js';
import { feedStdin } from './feed.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

/** How a chunk reaches the job: a temporary file (`--cat`) or a named pipe (`--fifo`). */
export type ChunkDelivery = 'file' | 'fifo';

const makeFifo = (path: string) =>
  new Promise<void>((resolve, reject) =>
    execFile('mkfifo', ['-m', '600', path], (err, _out, stderr) =>
      err ? reject(fileError(path, new Error(`mkfifo: ${stderr.trim() || err.message}`))) : resolve(),
    ),
  );

const openFd = (path: string, flags: number) =>
  new Promise<number>((resolve, reject) => open(path, flags, (err, fd) => (err ? reject(err) : resolve(fd))));

/**
 * Opens the write end of a fifo once the job has opened the read end. Non-blocking, so no
 * thread waits on a job that never opens it (GNU blocks forever then); ENXIO means "no
 * reader yet", so it asks again, less often the longer it waits, until the job ends.
 */
async function openWriter(path: string, jobDone: AbortSignal): Promise<number | undefined> {
  for (let wait = 1; !jobDone.aborted; wait = Math.min(wait * 2, 50)) {
    try {
      return await openFd(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
    }
    await sleep(wait);
  }
  return undefined;
}

/**
 * Hands each job its chunk as a file name instead of on stdin (`--cat`, `--fifo`): the chunk
 * is written to a temporary file, or streamed into a named pipe while the job reads it, and
 * the job finds the name in `$PARALLEL_TMP` (which `{}` stands for, as in GNU). The job's
 * stdin is /dev/null. The file or pipe is removed when the attempt ends; the directory that
 * holds them (private to this run) when the executor closes.
 */
export class ChunkFileExecutor implements Executor {
  private dir?: Promise<string>;
  private made = 0;

  constructor(
    private readonly inner: Executor,
    private readonly delivery: ChunkDelivery,
  ) {}

  /** Removes the directory even when the process exits without closing us (a closed stdout). */
  private readonly onExit = () => {
    if (this.dirPath) rmSync(this.dirPath, { recursive: true, force: true });
  };
  private dirPath?: string;

  async run(req: ExecRequest): Promise<ExecResult> {
    if (req.stdin.kind === 'none') return this.inner.run(req);
    if (!this.dir) {
      this.dir = mkdtemp(join(tmpdir(), 'weft-chunks-'));
      this.dirPath = await this.dir;
      process.once('exit', this.onExit);
    }
    const path = join(await this.dir, `${req.seq}-${++this.made}`);
    const job = { ...req, stdin: { kind: 'none' } as const, env: { ...req.env, PARALLEL_TMP: path } };
    try {
      if (this.delivery === 'file') {
        const start = Date.now();
        const file = createWriteStream(path, { mode: 0o600 });
        await feedStdin(req.stdin, file, req.signal);
        if (req.signal?.aborted) {
          file.destroy();
          const why = req.signal.reason === 'halt' ? 'halt' : 'interrupt';
          return { exitCode: 0, signal: 15, killed: why, start, end: Date.now() };
        }
        await finished(file).catch((err: unknown) => {
          throw fileError(path, err);
        });
        return await this.inner.run(job);
      }
      await makeFifo(path);
      const ended = new AbortController();
      const result = this.inner.run(job).finally(() => ended.abort());
      const writing = openWriter(path, ended.signal).then(async (fd) => {
        if (fd === undefined) return;
        const pipe = new Socket({ fd, readable: false, writable: true });
        await feedStdin(req.stdin, pipe, ended.signal);
        if (ended.signal.aborted) pipe.destroy();
      });
      // A job that stops reading early is normal; so is one that never opens the pipe.
      writing.catch(() => {});
      const res = await result;
      await writing.catch(() => {});
      return res;
    } finally {
      await unlink(path).catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.inner.close?.();
    if (this.dir) {
      process.off('exit', this.onExit);
      await rm(await this.dir, { recursive: true, force: true });
    }
  }
}
