import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Writable } from 'node:stream';
import type { AggregateSpec } from '../spec/types.js';
import { createAggregator } from './aggregator.js';
import { createReducer } from './reducer.js';
import { createShuffle } from './shuffle.js';

/** Where job outputs go when the run folds them into one answer. */
export interface AggregateSink {
  /** One successful job's stdout. */
  push(seq: number, output: Buffer): Promise<void>;
  /** Writes the answer; returns how many reduce processes failed. */
  finish(): Promise<{ failed: number }>;
  /** Cleans up after an error or interrupt (temp files, reducer processes). */
  abort(): Promise<void>;
}

export interface SinkContext {
  shell: string;
  env: Record<string, string>;
  stdout: Writable;
  stderr: Writable;
  jobs: number;
  signal?: AbortSignal;
}

/**
 * Builds the sink for `--aggregate KIND`, `--reduce CMD` or `--map CMD --reduce CMD`:
 * the scheduler hands it each job's output, in any order; it prints one result.
 */
export function aggregateSink(spec: AggregateSpec, ctx: SinkContext): AggregateSink {
  const cmd = { shell: ctx.shell, env: ctx.env, stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal };
  if (spec.kind === 'fold') {
    const agg = createAggregator(spec.fold, { write: (b) => ctx.stdout.write(b) });
    return {
      push: async (seq, out) => agg.push(seq, out),
      finish: async () => {
        ctx.stdout.write(agg.finish());
        return { failed: 0 };
      },
      abort: async () => {},
    };
  }
  if (spec.kind === 'reduce') {
    const reducer = createReducer({ ...cmd, cmd: spec.reduce });
    return {
      push: (seq, out) => reducer.push(seq, out),
      finish: async () => {
        const r = await reducer.finish();
        return { failed: r.exitCode !== 0 || r.signal !== 0 ? 1 : 0 };
      },
      abort: async () => {
        await reducer.finish();
      },
    };
  }
  const dir = `${tmpdir()}/weft-shuffle`;
  mkdirSync(dir, { recursive: true });
  const shuffle = createShuffle({ partitions: spec.partitions, tmpDir: dir });
  return {
    push: (seq, out) => shuffle.push(seq, out),
    finish: async () => {
      const r = await shuffle.runReducers({ ...cmd, cmd: spec.reduce, concurrency: ctx.jobs });
      return { failed: r.failed };
    },
    abort: () => shuffle.close(),
  };
}
