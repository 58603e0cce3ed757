import { BadRecords } from './bad-records.js';
import { ChunkBuilder } from './builder.js';
import { NdjsonCheck } from './json-check.js';
import { JsonLines } from './json-lines.js';
import { csvKeyReader, jsonKeyReader, type KeyReader } from './keys.js';
import { checkOptions, type Checked } from './options.js';
import { KeyRouter } from './partition.js';
import { EMPTY, type Framing, type RecordSink, type Splitter } from './record.js';
import { CsvSplitter } from './split-csv.js';
import { JsonSplitter } from './split-json.js';
import { LineSplitter } from './split-lines.js';
import { newChunkStats, type Chunk, type ChunkOptions, type ChunkStats } from './types.js';
import { TIMEOUT, untilDeadline } from './window.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** The stages for one input: splitter → (JSON lines) → (key router) → chunk builder(s). */
interface Stages {
  splitter: Splitter;
  router?: KeyRouter;
  builders: ChunkBuilder[];
}

/** Wires the stages for `o`; `base` is the input offset of the first byte the splitter sees. */
async function stages(o: Checked, base: number, out: Chunk[], bad: BadRecords): Promise<Stages> {
  const json = o.format === 'json';
  const jsonLines = json && o.emit === 'ndjson';
  const framing: Framing =
    json && !jsonLines
      ? { prefix: OPEN, sep: COMMA, suffix: CLOSE }
      : { prefix: EMPTY, sep: EMPTY, suffix: EMPTY };
  const limits = { records: o.records, block: o.block, overlap: o.overlap, windowMs: o.windowMs };
  const tabular = o.format === 'csv' || o.format === 'tsv';
  let reader: KeyReader | undefined;
  if (o.key !== undefined) {
    reader = tabular
      ? await csvKeyReader(o.key, o.format === 'tsv' ? '\t' : ',')
      : jsonKeyReader(o.key, o.format === 'ndjson');
  }
  // With a key, partition builders are made on first use (and listed here in that order).
  const builders = reader ? [] : [new ChunkBuilder(framing, limits, out)];
  const open = (p: number) => {
    const b = new ChunkBuilder(framing, limits, out, p);
    builders.push(b);
    return b;
  };
  const router = reader ? new KeyRouter(reader, o.partitions, open, bad, !json) : undefined;
  let sink: RecordSink = router ?? builders[0];
  if (jsonLines) sink = new JsonLines(sink);
  // NDJSON lines are checked here unless --key parses them anyway (and reports bad ones).
  if (o.format === 'ndjson' && !reader) sink = new NdjsonCheck(sink, bad);
  let splitter: Splitter;
  if (tabular) {
    const onHeader = (header: Buffer) => {
      reader?.header?.(header);
      framing.prefix = header;
    };
    splitter = new CsvSplitter(sink, onHeader, bad, o.name, base);
  } else if (json) {
    splitter = new JsonSplitter(sink, o.name, base);
  } else {
    splitter = new LineSplitter(sink, base);
  }
  return { splitter, router, builders };
}

/** The earliest `--window` deadline among the builders, if any chunk is partly filled. */
function earliest(builders: ChunkBuilder[]): number | undefined {
  let due: number | undefined;
  for (const b of builders) {
    const d = b.deadline();
    if (d !== undefined && (due === undefined || d < due)) due = d;
  }
  return due;
}

/**
 * Cuts `stream` into chunks of whole records of `opts.format` (see ChunkOptions): CSV/TSV chunks
 * each start with the header, JSON array chunks are arrays themselves (or NDJSON), lines and
 * NDJSON split at newlines. Memory is bounded by the chunk size (times `partitions` with `key`),
 * not by the input. A UTF-8 BOM is dropped (except in lines mode, which is byte for byte).
 * `stats` is kept up to date as chunks are yielded.
 */
export async function* formatChunks(
  stream: AsyncIterable<Buffer>,
  opts: ChunkOptions,
  stats: ChunkStats = newChunkStats(),
): AsyncGenerator<Chunk> {
  const o = checkOptions(opts);
  const out: Chunk[] = [];
  const bad = new BadRecords(o.onBadRecord, o.name, stats);
  let st: Stages | undefined = o.format === 'lines' ? await stages(o, 0, out, bad) : undefined;
  const head: Buffer[] = [];
  let headLen = 0;

  /** Passes a piece on; holds back the first bytes until a BOM can be recognised. */
  const feed = async (piece: Buffer, eof: boolean): Promise<void> => {
    if (!st) {
      head.push(piece);
      headLen += piece.length;
      if (headLen < BOM.length && !eof) return;
      const first = Buffer.concat(head);
      head.length = 0;
      const bom = first.length >= 3 && first[0] === BOM[0] && first[1] === BOM[1] && first[2] === BOM[2];
      st = await stages(o, bom ? BOM.length : 0, out, bad);
      piece = bom ? first.subarray(BOM.length) : first;
    }
    if (piece.length) await st.splitter.push(piece);
    st.router?.route();
    await bad.flush();
  };

  function* drain(): Generator<Chunk> {
    for (const c of out.splice(0)) {
      stats.chunks++;
      stats.records += c.records - (c.overlap ?? 0);
      yield c;
    }
  }

  const it = stream[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<Buffer>> | undefined;
  let done = false;
  try {
    for (;;) {
      pending ??= it.next();
      const due = o.windowMs !== undefined && st ? earliest(st.builders) : undefined;
      const r = due === undefined ? await pending : await untilDeadline(pending, due);
      if (r === TIMEOUT) {
        const now = Date.now();
        for (const b of st!.builders) {
          const d = b.deadline();
          if (d !== undefined && d <= now) b.flush();
        }
        yield* drain();
        continue;
      }
      pending = undefined;
      if (r.done) break;
      await feed(Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value), false);
      yield* drain();
    }
    done = true;
    await feed(EMPTY, true);
    await st!.splitter.end();
    st!.router?.route();
    for (const b of st!.builders) b.flush();
    await bad.flush();
    yield* drain();
  } finally {
    if (pending) {
      // A read is still outstanding (we stopped while waiting on a live source): don't wait for it.
      pending.catch(() => {});
      Promise.resolve()
        .then(() => it.return?.())
        .catch(() => {});
    } else if (!done) {
      await it.return?.();
    }
  }
}
