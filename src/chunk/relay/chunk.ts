import { closeSync, constants as C, openSync, unlinkSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { WeftError } from '../../errors.js';
import type { LiveInput } from '../../exec/types.js';
import type { Boundaries } from '../pipe.js';
import { CopyError, type Copier } from './copier.js';
import { readWindow, type Window } from './window.js';

/** One chunk's plan: where it starts (`carry`, already read) and how it is cut. */
export interface RelayPlan {
  /** weft's own blocking descriptor of its stdin. */
  fd: number;
  /** The chunk's first bytes, read by weft (the end of the last window). */
  carry: Buffer;
  /** The input has ended: the carry is all there is. */
  eof: boolean;
  block: number;
  /** Bytes weft reads itself at the chunk's end, to find the cut. */
  window: number;
  bounds: Boundaries;
  /** A named pipe, made for this chunk. */
  fifo: string;
  copier: Copier;
}

/** How a relayed chunk ended: the next chunk's first bytes, whether the input ended, the copy's pace. */
export interface RelayCut {
  carry: Buffer;
  eof: boolean;
  /** How long the copy took, and how much of it the job's full pipe held it up (ms). */
  ms: number;
  heldMs: number;
  /** The copier could not copy at all (nothing went through it): relay no more. */
  unusable?: boolean;
}

/** Resolves once `data` is in the pipe (or the pipe is gone). */
const write = (out: Socket, data: Buffer) =>
  new Promise<void>((resolve) => (data.length ? out.write(data, () => resolve()) : resolve()));

/** Writes what fits now into a non-blocking pipe; how much that was. */
function writeNow(fd: number, data: Buffer): number {
  try {
    return data.length ? writeSync(fd, data) : 0;
  } catch {
    return 0; // full (EAGAIN): the rest goes through the socket
  }
}

const unlink = (path: string) => {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
};

/**
 * A chunk of weft's stdin streamed to its job while the job runs, its bytes kept out of
 * weft: the job's stdin is a named pipe that the copier (copier.ts) fills straight from
 * weft's stdin with all but the chunk's last `window` bytes. weft writes the chunk's first
 * bytes (the carry) before the copy, then reads the window itself and writes it up to the
 * record boundary that ends the chunk; the rest starts the next chunk.
 *
 * weft keeps a reader of the pipe that it leaves idle while the job runs: a job that ends
 * without reading all (`head -1`, a timeout) cannot make the copy fail halfway, and what it
 * left is read and dropped then (`ended`), so the next chunk starts where this one ends.
 */
export class RelayChunk implements LiveInput {
  readonly cut: Promise<RelayCut>;
  private keep?: number;
  private job?: number;

  /** Starts at once: the copy and the cut need no job until the job's pipe (1 MiB) is full. */
  constructor(private readonly plan: RelayPlan) {
    const { fifo } = plan;
    // A read end needs a writer to open without waiting, and the other way round: our idle
    // reader first (non-blocking), then our writer, then the job's (blocking) reader.
    this.keep = openSync(fifo, C.O_RDONLY | C.O_NONBLOCK);
    const writer = openSync(fifo, C.O_WRONLY | C.O_NONBLOCK);
    this.job = openSync(fifo, C.O_RDONLY);
    this.cut = this.feed(writer);
    // The run may end before the job starts: nobody waits on the cut then.
    this.cut.catch(() => {});
  }

  open(): number {
    const job = this.job;
    if (job === undefined)
      throw new WeftError('E_INTERNAL', 'a relayed chunk is read once; it cannot be run again');
    this.job = undefined;
    return job;
  }

  /** The job will not run (the run is over): the chunk's pipe is closed and drained. */
  dispose(): void {
    if (this.job !== undefined) closeSync(this.job);
    this.job = undefined;
    this.ended();
  }

  ended(): void {
    const keep = this.keep;
    this.keep = undefined;
    if (keep === undefined) return;
    const drain = new Socket({ fd: keep, readable: true, writable: false });
    drain.on('error', () => drain.destroy());
    drain.on('end', () => drain.destroy());
    drain.resume();
  }

  private async feed(writer: number): Promise<RelayCut> {
    const { fd, carry, block, window, bounds, eof, fifo, copier } = this.plan;
    // The carry goes in now (an empty pipe holds 64 KiB), so the copy can be asked for before
    // the job is spawned: a spawn holds node's thread for milliseconds.
    const bytes = eof ? 0 : Math.max(0, block - carry.length - window);
    const early = bytes > 0 ? writeNow(writer, carry) : 0;
    const out = new Socket({ fd: writer, readable: false, writable: true });
    out.on('error', () => {});
    let ending = false;
    try {
      let w: Window;
      let ms = 0;
      let heldMs = 0;
      let unusable = false;
      if (bytes > 0) {
        await write(out, carry.subarray(early));
        const t0 = performance.now();
        try {
          ({ heldMs } = await copier.copy(bytes, fifo));
        } catch (err) {
          // Nothing copied: weft moves this chunk itself, and the rest is cut in memory.
          if (!(err instanceof CopyError && err.copied === 0)) throw err;
          unusable = true;
        }
        ms = performance.now() - t0;
        w = await readWindow(fd, Buffer.alloc(0), block - carry.length - (unusable ? 0 : bytes), bounds);
      } else {
        // All of the chunk passes through weft: the carry is the window's start.
        w = await readWindow(fd, carry, block, bounds, eof);
      }
      // The next chunk need not wait for this one's last bytes to go in (its pipe may be full).
      out.end(w.data.subarray(0, w.cut));
      ending = true;
      return {
        carry: Buffer.from(w.data.subarray(w.cut)),
        eof: w.eof,
        ms,
        heldMs,
        unusable,
      };
    } finally {
      unlink(fifo);
      if (!ending) out.end();
    }
  }
}
