import type { Writable } from 'node:stream';
import { WeftError } from '../errors.js';
import { spawnGroup, writeAll, type ReduceExit } from './process.js';
import { SeqOrder } from './seq-order.js';

/** Options of createReducer. */
export interface ReducerOptions {
  /** The shell that runs `cmd` as `shell -c cmd`. */
  shell: string;
  /** The `--reduce` command. */
  cmd: string;
  /** Its whole environment. */
  env: Record<string, string>;
  /** Receives the reducer's stdout (the run's final output); not ended. */
  stdout: Writable;
  /** Receives the reducer's stderr as it arrives; not ended. */
  stderr: Writable;
  /** Aborting kills the reducer's process group. */
  signal?: AbortSignal;
  /** Sequence number of the first chunk (default 1). */
  firstSeq?: number;
}

/** A running `--reduce CMD` fed with chunk outputs. */
export interface Reducer {
  /**
   * Adds chunk `seq`'s stdout; chunks may come in any order and reach the reducer in seq order.
   * Resolves when the reducer's stdin has taken what is writable so far (await it for
   * backpressure); never rejects. After an abort or once the reducer stops reading, output is dropped.
   */
  push(seq: number, output: Buffer): Promise<void>;
  /** Sends what is still held (gaps skipped), closes the reducer's stdin and waits for it to end. */
  finish(): Promise<ReduceExit>;
}

/**
 * `--reduce CMD` alone: one `shell -c CMD` process, started now in its own process group, whose
 * stdin is every chunk output in chunk order and whose stdout is the final output.
 */
export function createReducer(opts: ReducerOptions): Reducer {
  const child = spawnGroup(opts);
  child.stdout.pipe(opts.stdout, { end: false });
  const order = new SeqOrder<Buffer>(opts.firstSeq ?? 1);
  let open = true;
  let finished = false;
  let chain: Promise<void> = Promise.resolve();
  const send = (parts: Buffer[]): Promise<void> => {
    chain = chain.then(async () => {
      for (const p of parts) {
        if (!open || opts.signal?.aborted) return;
        if (p.length) open = await writeAll(child.stdin, p);
      }
    });
    return chain;
  };
  return {
    push(seq, output) {
      if (finished) throw new WeftError('E_INTERNAL', `reduce: chunk ${seq} pushed after finish`);
      return send(order.push(seq, output));
    },
    async finish() {
      if (finished) throw new WeftError('E_INTERNAL', 'reduce: finish called twice');
      finished = true;
      await send(order.drain());
      child.stdin.end();
      return child.done;
    },
  };
}
