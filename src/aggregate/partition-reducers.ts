import type { Writable } from 'node:stream';
import { mergeSources } from './merge.js';
import { spawnGroup, writeAll, type ReduceExit } from './process.js';
import type { RecordSource } from './records.js';
import type { RunReducersOptions } from './shuffle.js';

/** How one partition's reducer ended. */
export interface PartitionResult extends ReduceExit {
  /** 0-based partition number. */
  partition: number;
}

/** Everything runPartitionReducers needs: the commands (as Shuffle.runReducers takes them), and the shuffle's partitions. */
export interface PartitionReducersOptions extends RunReducersOptions {
  partitions: number;
  /** True when partition p got no records. */
  isEmpty(p: number): boolean;
  /** Partition p's sorted sources (merged here). */
  open(p: number): Promise<RecordSource[]>;
  /** Partition p's sources are no longer needed. */
  release(p: number): Promise<void>;
}

const FEED_BATCH = 1 << 16;

/**
 * Writes reducer outputs in partition order: the lowest unfinished partition streams straight
 * to `stdout`, later ones are held in memory until every earlier one has finished.
 */
class PartitionOrder {
  private next = 0;
  private readonly held = new Map<number, { chunks: Buffer[]; done: boolean }>();
  constructor(
    private readonly stdout: Writable,
    private readonly total: number,
  ) {}

  /** Output of partition p; false when `stdout` wants the writer to wait for 'drain'. */
  data(p: number, chunk: Buffer): boolean {
    if (p === this.next) return this.stdout.write(chunk);
    this.slot(p).chunks.push(chunk);
    return true;
  }

  /** Partition p has no more output (or never ran). */
  end(p: number): void {
    this.slot(p).done = true;
    while (this.next < this.total) {
      const s = this.held.get(this.next);
      if (s) for (const c of s.chunks.splice(0)) this.stdout.write(c);
      if (!s?.done) return;
      this.held.delete(this.next);
      this.next++;
    }
  }

  private slot(p: number): { chunks: Buffer[]; done: boolean } {
    let s = this.held.get(p);
    if (!s) this.held.set(p, (s = { chunks: [], done: false }));
    return s;
  }
}

/**
 * Runs the reduce command once per partition, at most `concurrency` at a time, each in its own
 * process group with the partition's merged, sorted lines on stdin; outputs go to `stdout` in
 * partition order, stderr passes through as it arrives. An I/O error kills every reducer and
 * is thrown after they have ended.
 */
export async function runPartitionReducers(
  o: PartitionReducersOptions,
): Promise<{ failed: number; aborted: boolean; results: PartitionResult[] }> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  const order = new PartitionOrder(o.stdout, o.partitions);
  const results: PartitionResult[] = [];
  let error: unknown;
  let nextPartition = 0;

  const runOne = async (p: number): Promise<void> => {
    const child = spawnGroup({
      shell: o.shell,
      cmd: o.cmd,
      env: { ...o.env, WEFT_PARTITION: String(p), PARALLEL_SEQ: String(p + 1) },
      stderr: o.stderr,
      signal: stop.signal,
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!order.data(p, chunk)) {
        child.stdout.pause();
        o.stdout.once('drain', () => child.stdout.resume());
      }
    });
    let sources: RecordSource[] = [];
    try {
      sources = await o.open(p);
      let batch = '';
      let open = true;
      const flush = async (): Promise<boolean> => {
        const data = Buffer.from(batch, 'latin1');
        batch = '';
        open = open && !stop.signal.aborted && (await writeAll(child.stdin, data));
        return open;
      };
      await mergeSources(sources, (rec) => {
        batch += `${rec.line}\n`;
        if (batch.length >= FEED_BATCH) return flush();
      });
      if (batch.length) await flush();
    } catch (err) {
      error ??= err;
      stop.abort();
    } finally {
      child.stdin.end();
      await Promise.all(sources.map((s) => s.close()));
    }
    const exit = await child.done;
    results.push({ partition: p, ...exit });
    order.end(p);
    await o.release(p).catch(() => {});
  };

  const worker = async (): Promise<void> => {
    while (nextPartition < o.partitions && !stop.signal.aborted) {
      const p = nextPartition++;
      if (o.skipEmpty && o.isEmpty(p)) order.end(p);
      else await runOne(p);
    }
  };
  try {
    const n = Math.max(1, Math.min(Math.floor(o.concurrency) || 1, o.partitions));
    await Promise.all(Array.from({ length: n }, worker));
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (error) throw error;
  results.sort((a, b) => a.partition - b.partition);
  const failed = results.filter((r) => r.exitCode !== 0 || r.signal !== 0 || r.killed).length;
  return { failed, aborted: o.signal?.aborted ?? false, results };
}
