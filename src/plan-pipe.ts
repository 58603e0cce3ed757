import { plannedSlots } from './spec/defaults.js';
import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { BufferPool } from './chunk/buffer-pool.js';
import {
  canSplitFast,
  fastSplit,
  fastSplitRanges,
  formatChunks,
  formatFromPath,
  gunzipIfNeeded,
  isGzipPath,
  newChunkStats,
  type Chunk,
  type ChunkOptions,
  type FastChunk,
  type ChunkStats,
} from './chunk/formats/index.js';
import { pipeChunks } from './chunk/pipe.js';
import {
  canCutByOffsets,
  pipeFileRanges,
  stdinFile,
  stdinPieces,
  stdinPipe,
  stdinPlainFile,
  stdinReadable,
} from './chunk/pipe-file.js';
import { pipepartRanges } from './chunk/pipepart.js';
import { canRelay, RelaySource } from './chunk/relay/index.js';
import { copierPerl } from './chunk/relay/copier.js';
import { roundRobin } from './chunk/round-robin.js';
import type { JobStdin } from './exec/types.js';
import type { PlannedJob } from './schedule/scheduler.js';
import { fsPath } from './raw-text.js';
import { checkReadable, located, readFile } from './source/open.js';
import type { FormatChunking, JobSpec, PipeSpec } from './spec/types.js';

/** Pipe mode's jobs, and what the run hands back once a job is done with its chunk. */
export interface PipeJobs {
  jobs: AsyncIterable<PlannedJob>;
  /** Bad-record counts of format-aware chunking. */
  chunkStats?: ChunkStats;
  /** Call when job `seq` will not run again: its chunk's buffer is reused. */
  release?(seq: number): void;
  /** Call when the run is over: ends copies still running (the relay). */
  close?(): void;
}

/**
 * Asks for the next item as soon as one is handed out, so the next chunk is read while the
 * jobs run (the scheduler asks only when a slot frees): reading and running overlap.
 */
async function* readAhead<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  const it = items[Symbol.asyncIterator]();
  let next = it.next();
  let pending = true;
  const settle = () => (pending = false);
  next.then(settle, settle);
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      pending = true;
      next.then(settle, settle);
      yield r.value;
    }
  } finally {
    // Stopped early: a read may still be waiting on a live stream; do not wait for it.
    if (pending) next.catch(() => {});
    void it.return?.()?.catch(() => {});
  }
}

async function* numbered<T>(
  items: AsyncIterable<T>,
  args: string[],
  stdin: (item: T, seq: number) => JobStdin,
  key?: (item: T) => string | undefined,
) {
  let seq = 0;
  for await (const item of items) {
    const k = key?.(item);
    ++seq;
    // A --key partition goes with its chunk: --max-per-key caps jobs per partition.
    yield { seq, args, stdin: stdin(item, seq), ...(k === undefined ? {} : { key: k }) } as PlannedJob;
  }
}

/**
 * Plans pipe mode: the chunks of stdin or of a file, one job each (`--round-robin`: one
 * stream of chunks per job slot; a stop (`signal`) ends their input, so they finish). `args`
 * is what `{}` stands for (`$PARALLEL_TMP` with --cat/--fifo). Standard input that is a file is cut by offsets; a pipe is read with a
 * descriptor of weft's own, straight into reusable chunk buffers.
 */
export async function planPipe(
  spec: JobSpec,
  pipe: PipeSpec,
  stdin: Readable,
  args: string[],
  signal?: AbortSignal,
  relay = false,
): Promise<PipeJobs> {
  const ours = stdin === process.stdin;
  if (pipe.roundRobin && !pipe.part) {
    const header: { value?: Buffer } = {};
    const source = (ours && stdinPipe()) || stdin;
    const feeds = roundRobin(pipeChunks(source, pipe, { headerApart: header }), plannedSlots(spec), {
      strict: spec.output.keepOrder,
      header: () => header.value,
      signal,
    });
    return { jobs: numbered(feeds, args, (chunks) => ({ kind: 'stream', chunks })) };
  }
  if (pipe.part) {
    const file = spec.input.sources.find((s) => s.kind === 'file');
    const path = file && file.kind === 'file' ? file.path : '-';
    // Offsets need a file with a size: a pipe would read as empty, silently.
    await checkReadable(path, {
      notRegular: `--pipepart reads a regular file by offsets; use --pipe < ${path} instead`,
    });
    // GNU: --round-robin with --pipepart is one range per job slot (--block -1).
    const part = pipe.roundRobin ? { ...pipe, block: -1 } : pipe;
    return {
      jobs: numbered(pipepartRanges(path, part, plannedSlots(spec)), args, (range) => ({
        kind: 'range',
        range,
      })),
    };
  }
  if (pipe.formats) {
    // Several inputs (`-a a.csv -a b.csv`) are cut one after the other, each with its own
    // format, header and gzip; a chunk never spans two of them.
    const names = spec.input.sources
      .filter((src) => src.kind === 'file' || src.kind === 'stdin')
      .map((src) => (src.kind === 'file' ? src.path : 'stdin'));
    for (const name of names) if (name !== 'stdin') await checkReadable(name);
    const stats = newChunkStats();
    const reuse = reusable(plannedSlots(spec));
    const chunks = (async function* () {
      for (const name of names.length ? names : ['stdin']) {
        yield* formatInput(name, pipe, pipe.formats!, ours ? undefined : stdin, stats, reuse.pool);
      }
    })();
    return {
      jobs: numbered(
        readAhead(chunks),
        args,
        (c, seq) => ('range' in c ? { kind: 'range', range: c.range } : reuse.stdin(c.data, seq)),
        (c) => ('key' in c && c.key !== undefined ? String(c.key) : undefined),
      ),
      chunkStats: stats,
      release: reuse.release,
    };
  }
  const file = ours && canCutByOffsets(pipe) ? stdinFile() : undefined;
  if (file) {
    // `weft --pipe … < big.log`: cut by offsets, as --pipepart does; no chunk in memory.
    const ranges = pipeFileRanges(file.fd, '/dev/stdin', file.start, file.size, pipe);
    return { jobs: numbered(ranges, args, (range) => ({ kind: 'range', range })) };
  }
  const own = ours ? stdinPipe() : undefined;
  if (own && relay && canRelay(spec, pipe)) {
    // `cat big.log | weft --pipe …`: each chunk is spliced from the pipe to its job.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', PARALLEL_PID: String(process.pid) };
    const reuse = reusable(plannedSlots(spec));
    const source = new RelaySource(own, pipe, plannedSlots(spec), copierPerl()!, env, reuse.pool);
    // A chunk from memory (after slow jobs) goes back to the pool when its job is done.
    const stdin = (s: JobStdin, seq: number) => (s.kind === 'buffer' ? reuse.stdin(s.data, seq) : s);
    return {
      jobs: numbered(source.chunks(), args, stdin),
      release: reuse.release,
      close: () => source.close(),
    };
  }
  const reuse = reusable(plannedSlots(spec));
  const chunks = readAhead(pipeChunks(own || stdin, pipe, { pool: reuse.pool }));
  return { jobs: numbered(chunks, args, reuse.stdin), release: reuse.release };
}

/**
 * The record-safe chunks of one input (`--format`): a file, or standard input (`stream` when
 * it is not process.stdin). Splits fast when no record needs looking at by itself, and a
 * plain file (not gzip) then becomes ranges of it: its bytes never pass through weft.
 */
function formatInput(
  name: string,
  pipe: PipeSpec,
  f: FormatChunking,
  stream: Readable | undefined,
  stats: ChunkStats,
  pool: BufferPool,
): AsyncIterable<FastChunk | Chunk> {
  const opts: ChunkOptions = {
    ...f,
    format: f.format ?? (name === 'stdin' ? 'lines' : formatFromPath(name)),
    block: pipe.block,
    name,
  };
  const fast = canSplitFast(opts);
  if (fast && name !== 'stdin' && !isGzipPath(name) && isRegular(name)) return fileRanges(name, opts, stats);
  const file = fast && name === 'stdin' && !stream ? stdinPlainFile() : undefined;
  if (file) return fastSplitRanges(file.fd, '/dev/stdin', file.start, file.size, opts, stats);
  const source =
    name !== 'stdin'
      ? readFile(name, 1 << 20)
      : (stream ?? (stdinReadable() ? stdinPieces() : process.stdin));
  const input = located(name, gunzipIfNeeded(name, source));
  return fast ? fastSplit(input, opts, stats, pool) : formatChunks(input, opts, stats);
}

// A size of 0 is streamed: /proc files say 0 and still have (or fail to give) content.
const isRegular = (name: string) => {
  try {
    const info = statSync(fsPath(name));
    return info.isFile() && info.size > 0;
  } catch {
    return false;
  }
};

/** fastSplitRanges over a named file; the ranges name the file (the descriptor is closed at the end). */
async function* fileRanges(name: string, opts: ChunkOptions, stats: ChunkStats): AsyncGenerator<FastChunk> {
  const fd = openSync(fsPath(name), 'r');
  try {
    const size = fstatSync(fd).size;
    for await (const c of fastSplitRanges(fd, name, 0, size, opts, stats)) {
      yield 'range' in c ? { ...c, range: { ...c.range, fd: undefined } } : c;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Chunk buffers that go back to a pool once their job is done (`release(seq)`), for the
 * splitters that hand out whole buffers.
 */
function reusable(jobs: number) {
  const pool = new BufferPool(jobs + 2);
  const held = new Map<number, Buffer>();
  return {
    pool,
    stdin(data: Buffer, seq: number): JobStdin {
      held.set(seq, data);
      return { kind: 'buffer', data };
    },
    release(s: number): void {
      const data = held.get(s);
      held.delete(s);
      if (data) pool.put(data);
    },
  };
}
