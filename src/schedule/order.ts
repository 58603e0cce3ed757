import { statSync } from 'node:fs';
import { WeftError } from '../errors.js';
import type { OrderSpec } from '../spec/types.js';
import { compileTemplate } from '../template/expand.js';
import type { PlannedJob } from './scheduler.js';

/** What the cost and priority templates are compiled with (as the command's). */
export interface OrderContext {
  replace: string;
  plus: boolean;
  /** Column names from `--header :`, for `{name}`. */
  names?: readonly string[];
}

/** The cost source that sizes the files a job names. */
export const FILE_SIZE = 'file-size';

/** A regular file's size in bytes; 0 for anything else (the job itself reports a missing file). */
function fileSize(path: string): number {
  try {
    const info = statSync(path);
    return info.isFile() ? info.size : 0;
  } catch {
    return 0;
  }
}

/**
 * The function that gives one job's cost or priority. `source` is `file-size` (the summed
 * sizes of the files the job's arguments name), `file-size:TEMPLATE` (the size of the file
 * TEMPLATE names, e.g. `file-size:{2}`), or a TEMPLATE that expands to a number (`{2}`,
 * `{weight}` with --header, `{}`). Templates expand as --tagstring does: values unquoted.
 */
export function keyOf(source: string, flag: string, ctx: OrderContext): (job: PlannedJob) => number {
  if (source === FILE_SIZE) return (job) => job.args.reduce((sum, a) => sum + fileSize(a), 0);
  const sized = source.startsWith(FILE_SIZE + ':');
  const text = sized ? source.slice(FILE_SIZE.length + 1) : source;
  const template = compileTemplate([text], {
    ...ctx,
    context: false,
    quoteCommand: false,
    appendArgs: false,
    raw: true,
  });
  if (!template.explicit) {
    throw new WeftError(
      'E_OPTION',
      `${flag}: '${source}' names no replacement string; give file-size, file-size:{N}, or a template such as {2} or {name}`,
    );
  }
  const expand = (job: PlannedJob) => template.expand({ args: job.args, seq: job.seq, slot: 0 });
  if (sized) return (job) => fileSize(expand(job));
  return (job) => {
    const value = expand(job).trim();
    const n = value === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) {
      throw new WeftError(
        'E_INPUT',
        `${flag} '${source}' is '${value}' for job ${job.seq} (${job.args.join(' ')}), not a number`,
      );
    }
    return n;
  };
}

/**
 * Reads every planned job and hands them back in start order: by priority (higher first),
 * then by cost with `lpt` (longest first), then in input order (the sort is stable).
 * Sequence numbers stay the input order, so `{#}`, `-k` and the joblog are unchanged.
 */
export async function orderJobs(
  jobs: AsyncIterable<PlannedJob>,
  order: OrderSpec,
  ctx: OrderContext,
): Promise<PlannedJob[]> {
  const priority = order.priority === undefined ? undefined : keyOf(order.priority, '--priority', ctx);
  const cost = order.by === 'lpt' ? keyOf(order.cost ?? FILE_SIZE, '--cost', ctx) : undefined;
  const keyed: { job: PlannedJob; priority: number; cost: number }[] = [];
  for await (const job of jobs) {
    keyed.push({ job, priority: priority?.(job) ?? 0, cost: cost?.(job) ?? 0 });
  }
  keyed.sort((a, b) => b.priority - a.priority || b.cost - a.cost);
  return keyed.map((k) => k.job);
}
