import type { Readable } from 'node:stream';
import { groupArgs } from './chunk/args.js';
import { pipeChunks } from './chunk/pipe.js';
import { pipepartRanges } from './chunk/pipepart.js';
import { checkReadable } from './source/open.js';
import { openArgs } from './source/index.js';
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
export async function plan(spec: JobSpec, stdin: Readable): Promise<Plan> {
  const base = {
    replace: spec.replace,
    plus: spec.plus,
    context: spec.grouping.kind === 'fill' && spec.grouping.context,
  };
  if (spec.pipe) {
    const command = compileTemplate(spec.command, {
      ...base,
      quoteCommand: spec.quoteCommand,
      appendArgs: false,
    });
    let jobs: AsyncIterable<PlannedJob>;
    if (spec.pipe.part) {
      const file = spec.input.sources.find((s) => s.kind === 'file');
      const path = file && file.kind === 'file' ? file.path : '-';
      await checkReadable(path);
      jobs = numbered(pipepartRanges(path, spec.pipe, spec.jobs), (seq, range) => ({
        seq,
        args: [],
        stdin: { kind: 'range', range },
      }));
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
  const command = compileTemplate(spec.command, opts);
  let jobs = numbered(groupArgs(rows, spec.grouping, spec.jobs), (seq, args) => ({
    seq,
    args,
    stdin: { kind: 'none' } as const,
  }));
  let total: number | undefined;
  if (command.needsTotal || spec.halt.percent !== undefined) {
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
      raw: true,
    });
  }
  return undefined;
}
