import type { Readable } from 'node:stream';
import { groupArgs } from './chunk/args.js';
import { createReadStream } from 'node:fs';
import {
  formatChunks,
  formatFromPath,
  gunzipIfNeeded,
  newChunkStats,
  type ChunkOptions,
  type ChunkStats,
} from './chunk/formats/index.js';
import { pipeChunks } from './chunk/pipe.js';
import { pipepartRanges } from './chunk/pipepart.js';
import { checkReadable } from './source/open.js';
import { openArgs } from './source/index.js';
import { plannedSlots } from './spec/defaults.js';
import type { JobSpec } from './spec/types.js';
import type { PlannedJob } from './schedule/scheduler.js';
import { compileTemplate, type Template } from './template/expand.js';

/** The jobs of a run, and how to turn each into a command line and a tag. */
export interface Plan {
  jobs: AsyncIterable<PlannedJob>;
  command: Template;
  tag?: Template;
  names?: string[];
  /** Known when the input had to be read whole (e.g. for `{##}`). */
  total?: number;
  /** Bad-record counts of format-aware chunking. */
  chunkStats?: ChunkStats;
}

async function* numbered<T>(items: AsyncIterable<T>, make: (seq: number, item: T) => PlannedJob) {
  let seq = 0;
  for await (const item of items) yield make(++seq, item);
}

async function* fromArray<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/**
 * Reads the inputs and plans the jobs: argument rows grouped per job, or, in pipe
 * mode, record-aligned chunks of stdin or of a file. Nothing runs here.
 */
export async function plan(
  spec: JobSpec,
  stdin: Readable,
  options: { countTotal?: boolean } = {},
): Promise<Plan> {
  const base = {
    replace: spec.replace,
    plus: spec.plus,
    // GNU: -X, and -N/-L, repeat the word around {} once per argument.
    context: (spec.grouping.kind === 'fill' && spec.grouping.context) || spec.grouping.kind === 'exact',
  };
  // A JavaScript job shows as its module and arguments (events, joblog, --dry-run).
  const words = spec.js === undefined ? spec.command : [spec.js];
  if (spec.pipe) {
    const command = compileTemplate(words, {
      ...base,
      quoteCommand: spec.quoteCommand,
      appendArgs: false,
    });
    let jobs: AsyncIterable<PlannedJob>;
    if (spec.pipe.part) {
      const file = spec.input.sources.find((s) => s.kind === 'file');
      const path = file && file.kind === 'file' ? file.path : '-';
      await checkReadable(path);
      jobs = numbered(pipepartRanges(path, spec.pipe, plannedSlots(spec)), (seq, range) => ({
        seq,
        args: [],
        stdin: { kind: 'range', range },
      }));
    } else if (spec.pipe.formats) {
      const f = spec.pipe.formats;
      const file = spec.input.sources.find((s) => s.kind === 'file');
      const name = file && file.kind === 'file' ? file.path : 'stdin';
      if (name !== 'stdin') await checkReadable(name);
      const stream = name === 'stdin' ? stdin : createReadStream(name, { highWaterMark: 1 << 20 });
      const opts: ChunkOptions = {
        ...f,
        format: f.format ?? (name === 'stdin' ? 'lines' : formatFromPath(name)),
        block: spec.pipe.block,
        name,
      };
      const stats = newChunkStats();
      const chunks = formatChunks(gunzipIfNeeded(name, stream), opts, stats);
      jobs = numbered(chunks, (seq, c) => ({
        seq,
        args: [],
        stdin: { kind: 'buffer', data: c.data },
        ...(c.key === undefined ? {} : { key: String(c.key) }),
      }));
      return { jobs, command, tag: tagTemplate(spec, base), chunkStats: stats };
    } else {
      jobs = numbered(pipeChunks(stdin, spec.pipe), (seq, data) => ({
        seq,
        args: [],
        stdin: { kind: 'buffer', data },
      }));
    }
    return { jobs, command, tag: tagTemplate(spec, base) };
  }

  const { names, rows } = await openArgs(spec.input, stdin);
  const opts = { ...base, names, quoteCommand: spec.quoteCommand };
  const command = compileTemplate(words, opts);
  let jobs = numbered(groupArgs(rows, spec.grouping, plannedSlots(spec)), (seq, args) => ({
    seq,
    args,
    stdin: { kind: 'none' } as const,
  }));
  let total: number | undefined;
  // Counting reads the input whole; for a progress bar only when it is finite (not stdin).
  const finite = spec.input.sources.length > 0 && spec.input.sources.every((s) => s.kind !== 'stdin');
  if (command.needsTotal || spec.halt.percent !== undefined || (options.countTotal && finite)) {
    const all: PlannedJob[] = [];
    for await (const j of jobs) all.push(j);
    total = all.length;
    jobs = fromArray(all);
  }
  return { jobs, command, tag: tagTemplate(spec, { ...base, names }), names, total };
}

function tagTemplate(
  spec: JobSpec,
  base: { replace: string; plus: boolean; names?: string[] },
): Template | undefined {
  if (spec.output.tagString !== undefined) {
    return compileTemplate([spec.output.tagString], {
      ...base,
      context: false,
      quoteCommand: false,
      appendArgs: false,
      raw: true,
    });
  }
  return undefined;
}
