import { closeSync } from 'node:fs';
import type { JobStdin } from '../../exec/types.js';
import type { JobSpec, PipeSpec } from '../../spec/types.js';
import type { BufferPool } from '../buffer-pool.js';
import { Boundaries, pipeChunks, type FdSource } from '../pipe.js';
import { RelayChunk, type RelayCut } from './chunk.js';
import { Copier, copierPerl } from './copier.js';
import { FifoPool } from './fifos.js';
import { readInto } from './window.js';

/**
 * Below this block size (GNU's default, 1M) a chunk goes through weft's memory as before: the
 * window is then a large part of each chunk. From 1M up, relaying was faster on 300 MB of log
 * (docs/benchmarks.md).
 */
export const RELAY_MIN_BLOCK = 1 << 20;
/**
 * A job that kept its full pipe from taking more input for at least this long, and for at
 * least half of its chunk's copy, reads slower than the input comes: the rest is cut in memory.
 */
export const RELAY_HELD_MS = 50;

/** The bytes weft reads itself at each chunk's end to find the cut: records up to this long cut as GNU's do. */
export const relayWindow = (block: number) => Math.min(1 << 16, Math.max(1, Math.floor(block / 4)));

/**
 * Whether `--pipe` over a stdin pipe can relay its chunks (src/chunk/relay/chunk.ts): plain
 * GNU splitting at a one-byte record end, and jobs that read their chunk once, as it comes,
 * in input order (no retries, cache, journal, --resume, --js, queue, gates or reordering,
 * which may start jobs out of order or hold them). `WEFT_PIPE_RELAY=off` never relays;
 * `on` relays whatever the block size.
 */
export function canRelay(spec: JobSpec, pipe: PipeSpec, env: NodeJS.ProcessEnv = process.env): boolean {
  const mode = env.WEFT_PIPE_RELAY;
  if (mode === 'off') return false;
  if (mode !== 'on' && pipe.block < RELAY_MIN_BLOCK) return false;
  return (
    copierPerl(env) !== undefined &&
    !pipe.part &&
    !pipe.roundRobin &&
    !pipe.formats &&
    !pipe.deliver &&
    !pipe.header &&
    !pipe.regexp &&
    !pipe.recordLines &&
    pipe.records === undefined &&
    pipe.recStart === '' &&
    Buffer.byteLength(pipe.recEnd, 'latin1') === 1 &&
    spec.js === undefined &&
    !spec.queue &&
    !spec.cache &&
    !spec.dedupe &&
    !spec.journal &&
    spec.resume === 'none' &&
    spec.retries <= 1 &&
    !spec.dryRun &&
    !spec.order &&
    !spec.rate &&
    !spec.perKey &&
    spec.memfree === undefined
  );
}

const readSome = async (fd: number, size = 1 << 16) => {
  const buf = Buffer.allocUnsafe(size);
  return buf.subarray(0, await readInto(fd, buf, 0, size));
};

/**
 * The chunks of a stdin pipe (`source`), relayed to their jobs (see RelayChunk). Each is
 * handed out when the one before is cut, so the scheduler must start jobs in the order it
 * takes them. When a job held its chunk's copy up (RELAY_HELD_MS) and more than one job runs
 * at a time, the rest is cut by pipeChunks into pooled buffers, so slow jobs run side by side
 * again; a slow producer holds the copy up too, but not through a full job pipe.
 */
export class RelaySource {
  private readonly fifos = new FifoPool(32);
  private readonly copier: Copier;
  private readonly live = new Set<RelayChunk>();

  constructor(
    private readonly source: FdSource,
    private readonly pipe: PipeSpec,
    private readonly slots: number,
    perl: string,
    env: Record<string, string>,
    /** Buffers for chunks cut in memory (after slow jobs), handed back when their job is done. */
    private readonly pool?: BufferPool,
  ) {
    this.copier = new Copier(perl, source.readFd, env);
  }

  async *chunks(): AsyncGenerator<JobStdin> {
    const { readFd: fd } = this.source;
    const bounds = new Boundaries(this.pipe);
    const window = relayWindow(this.pipe.block);
    let carry: Buffer = Buffer.alloc(0);
    let eof = false;
    // The first named pipes and the copier start while the first bytes are awaited.
    let early: Promise<string> | undefined = this.fifos.take();
    early.catch(() => {});
    this.copier.start();
    try {
      for (;;) {
        if (!carry.length) {
          if (eof) return;
          carry = await readSome(fd);
          if (!carry.length) return;
        }
        const fifo = await (early ?? this.fifos.take());
        early = undefined;
        const { block } = this.pipe;
        const copier = this.copier;
        const chunk: RelayChunk = new RelayChunk({ fd, carry, eof, block, window, bounds, fifo, copier });
        this.live.add(chunk);
        yield { kind: 'live', live: chunk };
        const cut: RelayCut = await chunk.cut;
        this.live.delete(chunk);
        ({ carry, eof } = cut);
        const slow = cut.heldMs >= RELAY_HELD_MS && cut.heldMs * 2 >= cut.ms;
        if (cut.unusable || (slow && this.slots > 1)) {
          if (!carry.length && eof) return;
          const source = { readFd: fd, own: false };
          for await (const data of pipeChunks(source, this.pipe, { first: carry, pool: this.pool }))
            yield { kind: 'buffer', data };
          return;
        }
      }
    } finally {
      this.close();
    }
  }

  /** Ends the copier and removes the named pipes' folder (the run is over). */
  close(): void {
    this.copier.close();
    for (const c of this.live) c.dispose();
    this.live.clear();
    this.fifos.dispose();
    if (this.source.own) {
      try {
        closeSync(this.source.readFd);
      } catch {
        // closed already
      }
      this.source.own = false;
    }
  }
}
