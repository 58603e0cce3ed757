import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { WeftError } from '../errors.js';
import { partitionOfText } from './hash.js';
import { bytesToText, forEachLine } from './lines.js';
import { mergeSources } from './merge.js';
import { runPartitionReducers, type PartitionResult } from './partition-reducers.js';
import { ArraySource, compareRecords, type RecordSource, type ShuffleRecord } from './records.js';
import { RunReader, RunWriter, writeRun } from './run-file.js';

/** Default in-memory buffer before the shuffle spills sorted runs to disk: 64 MB. */
export const DEFAULT_SPILL_BYTES = 64 * 1024 * 1024;

/** Default number of runs merged at once (more runs are first merged in passes). */
export const DEFAULT_FAN_IN = 32;

// What a buffered record costs beyond its bytes (object, two sliced strings), for the spill threshold.
const RECORD_OVERHEAD = 96;

/** Options of createShuffle. */
export interface ShuffleOptions {
  /** Number of partitions R, one reducer each (an integer >= 1). */
  partitions: number;
  /** Spill to disk once buffered map output passes this many bytes (default 64 MB). */
  spillBytes?: number;
  /** An existing folder where the shuffle makes its private temporary folder (default os.tmpdir()). */
  tmpDir?: string;
  /** Runs merged at once (default 32, at least 2). */
  fanIn?: number;
}

/** Options of Shuffle.runReducers. */
export interface RunReducersOptions {
  /** The shell that runs `cmd` as `shell -c cmd`. */
  shell: string;
  /** The `--reduce` command, run once per partition. */
  cmd: string;
  /** Its environment; weft adds WEFT_PARTITION (0-based) and PARALLEL_SEQ (partition + 1). */
  env: Record<string, string>;
  /** Reducers running at once (at least 1). */
  concurrency: number;
  /** Receives the reducers' stdout, in partition order; not ended. */
  stdout: Writable;
  /** Receives the reducers' stderr as it arrives; not ended. */
  stderr: Writable;
  /** Aborting kills the running reducers' process groups and starts no more. */
  signal?: AbortSignal;
  /** Do not start a reducer for a partition that got no records (default false: Hadoop runs every one). */
  skipEmpty?: boolean;
}

/** What runReducers reports. */
export interface RunReducersResult {
  /** Reducers that exited non-zero, died of a signal or were killed. */
  failed: number;
  /** True when the signal aborted the run (some partitions may not have run). */
  aborted: boolean;
  /** One entry per reducer that ran, in partition order. */
  results: PartitionResult[];
}

/** Counters, for logs and tests. */
export interface ShuffleStats {
  records: number;
  /** Times the buffer was spilled. */
  spills: number;
  /** Run files written (spills and merge passes). */
  runFiles: number;
  /** The private temporary folder, once created (removed again by runReducers/close). */
  dir?: string;
  /** Records per partition. */
  perPartition: number[];
}

/** The shuffle of a local MapReduce: collects map outputs, then feeds one reducer per partition. */
export interface Shuffle {
  /**
   * Adds map chunk `seq`'s stdout (chunks in any order; do not modify `output` afterwards).
   * Resolves once any spill it caused is on disk; rejects (E_SHUFFLE) when a spill fails.
   */
  push(seq: number, output: Buffer): Promise<void>;
  /** Sorts and reduces every partition, writes the outputs in partition order, removes temp files. */
  runReducers(opts: RunReducersOptions): Promise<RunReducersResult>;
  /** Removes the temporary files without reducing (for error paths); idempotent. */
  close(): Promise<void>;
  /** Current counters. */
  stats(): ShuffleStats;
}

/**
 * Hadoop Streaming's shuffle, locally. Each non-empty map output line is `key<TAB>value` (split
 * at the first TAB; a line without TAB is all key) and goes, unchanged, to partition
 * `FNV-1a(key) mod R`. Buffered lines are spilled as sorted run files once they pass
 * `spillBytes`; each partition is then an external merge of its runs, so memory stays bounded.
 * A reducer sees its lines sorted by key bytes, equal keys in chunk order and then line order.
 */
export function createShuffle(options: ShuffleOptions): Shuffle {
  return new LocalShuffle(options);
}

class LocalShuffle implements Shuffle {
  private readonly R: number;
  private readonly spillBytes: number;
  private readonly fanIn: number;
  private readonly tmpRoot: string;
  private mem: ShuffleRecord[][];
  private memBytes = 0;
  private readonly runs: string[][];
  private readonly seen = new Set<number>();
  private readonly counts: number[];
  private records = 0;
  private spills = 0;
  private runFiles = 0;
  private dir: string | undefined;
  private dirPromise: Promise<string> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private state: 'open' | 'reducing' | 'closed' = 'open';
  private readonly onExit = (): void => {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  };

  constructor(o: ShuffleOptions) {
    if (!Number.isInteger(o.partitions) || o.partitions < 1) {
      throw new WeftError('E_OPTION', `--partitions: '${o.partitions}' must be a whole number of at least 1`);
    }
    this.R = o.partitions;
    this.spillBytes = o.spillBytes ?? DEFAULT_SPILL_BYTES;
    this.fanIn = Math.max(2, o.fanIn ?? DEFAULT_FAN_IN);
    this.tmpRoot = o.tmpDir ?? tmpdir();
    this.mem = Array.from({ length: this.R }, () => []);
    this.runs = Array.from({ length: this.R }, () => []);
    this.counts = new Array<number>(this.R).fill(0);
  }

  push(seq: number, output: Buffer): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(
        new WeftError('E_INTERNAL', `shuffle: chunk ${seq} pushed after the reduce started`),
      );
    }
    if (this.seen.has(seq))
      return Promise.reject(new WeftError('E_INTERNAL', `shuffle: chunk ${seq} pushed twice`));
    this.seen.add(seq);
    forEachLine(bytesToText(output), (line) => {
      if (line.length === 0) return;
      const tab = line.indexOf('\t');
      const key = tab >= 0 ? line.slice(0, tab) : line;
      const p = partitionOfText(key, this.R);
      this.mem[p].push({ seq, key, line });
      this.counts[p]++;
      this.records++;
      this.memBytes += line.length + RECORD_OVERHEAD;
    });
    if (this.memBytes > this.spillBytes) {
      const snapshot = this.mem;
      this.mem = Array.from({ length: this.R }, () => []);
      this.memBytes = 0;
      this.chain = this.chain.then(() =>
        this.failure ? undefined : this.spill(snapshot).catch((err) => void (this.failure = err)),
      );
    }
    return this.chain.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  private tempDir(): Promise<string> {
    this.dirPromise ??= (async () => {
      try {
        this.dir = await mkdtemp(join(this.tmpRoot, 'weft-shuffle-'));
      } catch (err) {
        throw new WeftError(
          'E_SHUFFLE',
          `cannot make a temporary folder in ${this.tmpRoot}: ${(err as Error).message}`,
          {
            location: { file: this.tmpRoot },
            cause: err,
          },
        );
      }
      process.on('exit', this.onExit);
      return this.dir;
    })();
    return this.dirPromise;
  }

  private newRunPath(dir: string, p: number): string {
    return join(dir, `p${p}-${this.runFiles++}.run`);
  }

  private async spill(parts: ShuffleRecord[][]): Promise<void> {
    const dir = await this.tempDir();
    this.spills++;
    for (let p = 0; p < parts.length; p++) {
      if (parts[p].length === 0) continue;
      parts[p].sort(compareRecords);
      const path = this.newRunPath(dir, p);
      this.runs[p].push(path);
      await writeRun(path, parts[p]);
      parts[p] = [];
    }
  }

  /** Merges partition p's runs in passes until at most fanIn - 1 remain, then opens them all. */
  private async sources(p: number): Promise<RecordSource[]> {
    const inMemory = this.mem[p].sort(compareRecords);
    this.mem[p] = [];
    let files = this.runs[p];
    while (files.length > this.fanIn - (inMemory.length ? 1 : 0)) {
      const group = files.slice(0, this.fanIn);
      const out = this.newRunPath(this.dir!, p);
      files = [...files.slice(this.fanIn), out];
      const readers: RunReader[] = [];
      const writer = await RunWriter.create(out);
      try {
        for (const f of group) readers.push(await RunReader.open(f));
        await mergeSources(readers, (rec) => writer.add(rec));
        await writer.close();
      } catch (err) {
        await writer.abandon();
        throw err;
      } finally {
        await Promise.all(readers.map((r) => r.close()));
      }
      await Promise.all(group.map((f) => rm(f, { force: true })));
      this.runs[p] = [...files];
    }
    const opened: RecordSource[] = [];
    try {
      for (const f of files) opened.push(await RunReader.open(f));
    } catch (err) {
      await Promise.all(opened.map((s) => s.close()));
      throw err;
    }
    // The in-memory records are the newest run: keep them after the files.
    if (inMemory.length) opened.push(new ArraySource(inMemory));
    return opened;
  }

  /** Deletes partition p's run files once its reducer has them. */
  private async release(p: number): Promise<void> {
    const files = this.runs[p];
    this.runs[p] = [];
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }

  async runReducers(opts: RunReducersOptions): Promise<RunReducersResult> {
    if (this.state !== 'open')
      throw new WeftError('E_INTERNAL', 'shuffle: runReducers called twice or after close');
    this.state = 'reducing';
    try {
      await this.chain;
      if (this.failure) throw this.failure;
      return await runPartitionReducers({
        ...opts,
        partitions: this.R,
        isEmpty: (p) => this.counts[p] === 0,
        open: (p) => this.sources(p),
        release: (p) => this.release(p),
      });
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.state = 'closed';
    await this.chain;
    this.mem = Array.from({ length: this.R }, () => []);
    this.memBytes = 0;
    if (this.dirPromise) await this.dirPromise.catch(() => {});
    if (this.dir) {
      await rm(this.dir, { recursive: true, force: true });
      process.off('exit', this.onExit);
      this.dir = undefined;
    }
  }

  stats(): ShuffleStats {
    return {
      records: this.records,
      spills: this.spills,
      runFiles: this.runFiles,
      dir: this.dir,
      perPartition: [...this.counts],
    };
  }
}
