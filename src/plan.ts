import type { Readable } from 'node:stream';
import { groupArgs } from './chunk/args.js';
import type { ChunkStats } from './chunk/formats/index.js';
import { planPipe } from './plan-pipe.js';
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
  /** Call when job `seq` will not run again (pipe mode reuses its chunk's buffer). */
  release?(seq: number): void;
  /** Call when the run is over: ends what pipe mode still copies. */
  close?(): void;
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
  options: { countTotal?: boolean; signal?: AbortSignal; relay?: boolean } = {},
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
    // --cat/--fifo: as in GNU, {} is `$PARALLEL_TMP` (set per job to the chunk's file name),
    // inserted as it is and appended when the command names no replacement string.
    const args = spec.pipe.deliver ? ['$PARALLEL_TMP'] : [];
    const command = compileTemplate(words, {
      ...base,
      quoteCommand: spec.quoteCommand,
      appendArgs: !!spec.pipe.deliver,
      raw: !!spec.pipe.deliver,
    });
    const piped = await planPipe(spec, spec.pipe, stdin, args, options.signal, options.relay);
    return {
      jobs: piped.jobs,
      command,
      tag: tagTemplate(spec, base),
      chunkStats: piped.chunkStats,
      release: piped.release,
      close: piped.close,
    };
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
