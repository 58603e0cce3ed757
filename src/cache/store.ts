import { crypto } from '../builtins.js';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeftError } from '../errors.js';
import { decodeEntry, encodeEntry, type StoredResult } from './entry.js';

const TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n# This directory is a cache of weft job results (--cache); it can be deleted.\n';

/**
 * `--cache DIR`: one file per result, `DIR/ab/abcdef…` named by the job's key. Files are
 * written to a temporary name and renamed, so a reader (another run, a crash) never sees half
 * an entry. A result still being written is served from memory.
 */
export class CacheStore {
  private readonly writing = new Map<string, StoredResult>();
  private readonly writes = new Set<Promise<void>>();
  private warned = false;

  private constructor(
    readonly dir: string,
    private readonly ttlMs: number | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  /** Creates DIR if needed (with a CACHEDIR.TAG so backups skip it); a WeftError if it cannot. */
  static async open(
    dir: string,
    ttlMs: number | undefined,
    warn: (message: string) => void,
  ): Promise<CacheStore> {
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'CACHEDIR.TAG'), TAG, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    } catch (err) {
      throw new WeftError('E_CACHE', `--cache: cannot use '${dir}': ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new CacheStore(dir, ttlMs, warn);
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
  }

  /** The stored result for `key`, unless there is none, it is unreadable or older than the TTL. */
  async get(key: string, now = Date.now()): Promise<StoredResult | undefined> {
    let entry = this.writing.get(key);
    if (!entry) {
      try {
        entry = decodeEntry(await readFile(this.path(key)));
      } catch {
        return undefined; // no entry (or unreadable): run the job
      }
    }
    if (!entry) return undefined;
    if (this.ttlMs !== undefined && now - entry.createdAt > this.ttlMs) return undefined;
    return entry;
  }

  /** Stores a result; a failure to write is reported once and does not stop the run. */
  put(key: string, result: StoredResult): void {
    this.writing.set(key, result);
    const file = this.path(key);
    const tmp = `${file}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`;
    const write = (async () => {
      try {
        await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
        await writeFile(tmp, encodeEntry(result));
        await rename(tmp, file);
      } catch (err) {
        await unlink(tmp).catch(() => {});
        if (!this.warned) {
          this.warned = true;
          this.warn(`weft: --cache: cannot store a result in ${this.dir}: ${(err as Error).message}\n`);
        }
      } finally {
        if (this.writing.get(key) === result) this.writing.delete(key);
      }
    })();
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Resolves when every result handed to `put` is on disk (or has failed to get there). */
  async flush(): Promise<void> {
    while (this.writes.size) await Promise.all(this.writes);
  }
}
