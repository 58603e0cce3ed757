import { parseDuration, parseSize } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import { reportFormat } from '../report/writer.js';
import { parseTermseq } from '../exec/terminate.js';
import { parseHalt } from '../schedule/halt.js';
import { parseRetryDelay, parseRetryOn } from '../schedule/retry.js';
import { checkRunId } from '../queue/run-id.js';
import { parseQueueUrl } from '../queue/url.js';
import {
  DEFAULT_MAX_PAYLOAD,
  defaultJobs,
  defaultShell,
  plannedSlots,
  QUEUE_JOBS,
} from '../spec/defaults.js';
import { parseAggregateKind } from '../aggregate/kinds.js';
import type {
  AggregateSpec,
  ColumnMode,
  FormatChunking,
  InputSource,
  JobSpec,
  OrderSpec,
  PipeSpec,
  QueueSpec,
} from '../spec/types.js';
import { splitCommand, unescapeDelimiter } from './inputs.js';
import { MAX_SLOTS, parseCount, parseJobs, parseNice, parseTimeout } from './numbers.js';
import { keyTemplate, limits, reuse } from './policies.js';

/** The options commander hands over (names as commander camel-cases them). */
export interface CliOptions {
  argFile?: string[];
  null?: boolean;
  delimiter?: string;
  argSep?: string;
  argFileSep?: string;
  link?: boolean;
  trim?: string;
  shuf?: boolean;
  colsep?: string;
  csv?: boolean;
  header?: string;
  I?: string;
  maxArgs?: string;
  maxReplaceArgs?: string;
  maxLines?: string;
  X?: boolean;
  m?: boolean;
  quote?: boolean;
  js?: string;
  plus?: boolean;
  jobs?: string;
  maxJobs?: string;
  delay?: string;
  rate?: string;
  burst?: string;
  maxPerKey?: string;
  memfree?: string;
  dedupe?: boolean;
  dedupeWindow?: string;
  cache?: string;
  cacheTtl?: string;
  cacheEnv?: string;
  timeout?: string;
  retries?: string;
  retryDelay?: string;
  retryOn?: string;
  termseq?: string;
  termSeq?: string;
  nice?: string;
  joblogAttempts?: boolean;
  halt?: string;
  dryRun?: boolean;
  order?: 'input' | 'lpt';
  cost?: string;
  priority?: string;
  keepOrder?: boolean;
  group?: boolean;
  lineBuffer?: boolean;
  lb?: boolean;
  ungroup?: boolean;
  tag?: boolean;
  tagstring?: string;
  results?: string;
  joblog?: string;
  journal?: string;
  report?: string;
  resume?: boolean;
  resumeFailed?: boolean;
  pipe?: boolean;
  spreadstdin?: boolean;
  pipepart?: boolean;
  block?: string;
  recstart?: string;
  recend?: string;
  regexp?: boolean;
  cat?: boolean;
  fifo?: boolean;
  roundRobin?: boolean;
  round?: boolean;
  roundrobin?: boolean;
  debug?: boolean;
  events?: string;
  bar?: boolean;
  progress?: boolean;
  eta?: boolean;
  status?: string;
  aggregate?: string;
  format?: 'csv' | 'tsv' | 'json' | 'ndjson' | 'lines';
  records?: string;
  window?: string;
  key?: string;
  overlap?: string;
  emit?: 'json' | 'ndjson';
  onBadRecord?: string;
  reduce?: string;
  map?: string;
  partitions?: string;
  version?: boolean;
  /** Distributed mode: `--queue URL` (a producer) and its options; `--worker URL` and its options. */
  queue?: string;
  maxPayload?: string;
  runId?: string;
  worker?: string;
  concurrency?: string;
  allow?: string[];
  stallTimeout?: string;
  /** `--spec FILE`, `--validate [FILE]`, `--print-spec`: a YAML job spec (src/spec/, docs/spec.md). */
  spec?: string;
  validate?: string | boolean;
  printSpec?: boolean;
}

function grouping(o: CliOptions, pipe: boolean): JobSpec['grouping'] {
  if (o.X || o.m) return { kind: 'fill', context: !!o.X };
  // -N0/-n0: read one argument per job but insert none (run the command once per input).
  if (!pipe && o.maxReplaceArgs) return { kind: 'exact', n: parseCount(o.maxReplaceArgs, '-N', 0) };
  if (!pipe && o.maxLines) return { kind: 'exact', n: parseCount(o.maxLines, '-L', 0) };
  if (o.maxArgs) return { kind: 'max', n: parseCount(o.maxArgs, '-n', 0) };
  return { kind: 'single' };
}

/** weft's own chunking flags; any of them turns on pipe mode with record-safe chunks. */
function formatChunking(o: CliOptions): FormatChunking | undefined {
  const fieldKey = keyTemplate(o) ? undefined : o.key;
  const given = [o.format, o.records, o.window, fieldKey, o.overlap, o.emit, o.onBadRecord].some(
    (v) => v !== undefined,
  );
  if (!given) return undefined;
  if (keyTemplate(o)) {
    throw new WeftError(
      'E_USAGE',
      `--key '${o.key}' is a job key template (for argument jobs); with --format and friends --key names a field or column`,
    );
  }
  if (o.pipepart)
    throw new WeftError('E_USAGE', '--pipepart cannot be combined with --format/--records/--key/...');
  if (o.roundRobin)
    throw new WeftError('E_USAGE', '--round-robin cannot be combined with --format/--records/--key/...');
  if ((o.argFile?.length ?? 0) > 1 && o.key !== undefined)
    throw new WeftError('E_USAGE', '--key partitions one input: give one -a FILE (or stdin)');
  const bad = o.onBadRecord ?? 'fail';
  const q = /^quarantine[:=](.+)$/.exec(bad);
  if (!q && bad !== 'fail' && bad !== 'skip') {
    throw new WeftError('E_OPTION', `--on-bad-record: '${bad}' must be fail, skip or quarantine:FILE`);
  }
  return {
    format: o.format,
    records: o.records === undefined ? undefined : parseCount(o.records, '--records'),
    windowMs: o.window === undefined ? undefined : parseDuration(o.window, '--window') * 1000,
    key: fieldKey,
    overlap: o.overlap === undefined ? undefined : parseCount(o.overlap, '--overlap', 0),
    emit: o.emit,
    onBadRecord: q ? { quarantine: q[1] } : (bad as 'fail' | 'skip'),
  };
}

function pipeSpec(o: CliOptions): PipeSpec | undefined {
  const formats = formatChunking(o);
  // GNU: --cat and --fifo imply --pipe (unless --pipepart); weft's --round-robin does too.
  if (!o.pipe && !o.pipepart && !formats && !o.cat && !o.fifo && !o.roundRobin) return undefined;
  if (o.cat && o.fifo)
    throw new WeftError('E_USAGE', '--cat and --fifo exclude each other (as in GNU parallel)');
  if (o.roundRobin && o.retries !== undefined) {
    throw new WeftError('E_USAGE', '--round-robin cannot be combined with --retries (as in GNU parallel)');
  }
  const records = o.maxReplaceArgs;
  const header =
    o.header === undefined
      ? undefined
      : o.header === ':'
        ? { lines: 1 }
        : /^\d+$/.test(o.header)
          ? { lines: Number(o.header) }
          : { regex: o.header };
  // GNU's defaults: 1M blocks for --pipe; --pipepart cuts 10 chunks per job slot (-10).
  const block = o.block === undefined ? (o.pipepart ? -10 : 1 << 20) : parseSize(o.block, '--block');
  // Without --regexp, the record strings understand \n \t \r \0 \\ escapes, as in GNU.
  const unesc = (v: string | undefined) => (v === undefined || o.regexp ? v : unescapeDelimiter(v));
  const recStart = unesc(o.recstart);
  const recEnd = unesc(o.recend);
  if (block === 0 || (block < 0 && !o.pipepart))
    throw new WeftError('E_OPTION', `--block: '${o.block}' must be a positive size`);
  // Checked here, so a bad pattern is an option error now, not a crash at the first block.
  if (o.regexp) {
    checkRegex('--recstart', recStart ?? '');
    checkRegex('--recend', recEnd ?? '');
  }
  if (header && 'regex' in header) checkRegex('--header', String(header.regex));
  return {
    part: !!o.pipepart,
    block,
    records: records === undefined ? undefined : parseCount(records, '-N'),
    recordLines: o.maxLines === undefined ? undefined : parseCount(o.maxLines, '-L'),
    recStart: recStart ?? '',
    // GNU: --recstart alone means records have no end string.
    recEnd: recEnd ?? (recStart !== undefined ? '' : '\n'),
    regexp: !!o.regexp,
    header,
    formats,
    deliver: o.cat ? 'file' : o.fifo ? 'fifo' : undefined,
    roundRobin: o.roundRobin || undefined,
  };
}

/** `--order`, `--cost`, `--priority`; undefined when jobs start in input order. */
function orderSpec(o: CliOptions, pipe: boolean): OrderSpec | undefined {
  const by = o.order ?? 'input';
  if (o.cost !== undefined && by !== 'lpt') throw new WeftError('E_USAGE', '--cost applies with --order lpt');
  if (by === 'input' && o.priority === undefined) return undefined;
  // Pipe-mode chunks are cut while jobs run; sorting them would hold all of stdin in memory.
  if (pipe) throw new WeftError('E_USAGE', '--order lpt and --priority need argument input, not --pipe');
  return { by, cost: o.cost, priority: o.priority };
}

/** Throws an E_OPTION error naming `option` when `pattern` is not a valid regular expression. */
function checkRegex(option: string, pattern: string): void {
  try {
    new RegExp(pattern);
  } catch {
    throw new WeftError('E_OPTION', `${option}: '${pattern}' is not a valid regular expression`);
  }
}

function columns(o: CliOptions): ColumnMode {
  if (o.csv) return { kind: 'csv', delimiter: o.colsep ?? ',' };
  if (o.colsep !== undefined) {
    checkRegex('--colsep', o.colsep);
    return { kind: 'colsep', pattern: o.colsep };
  }
  // GNU: --header splits columns at TAB unless told otherwise.
  if (o.header !== undefined) return { kind: 'colsep', pattern: '\t' };
  return { kind: 'none' };
}

function aggregateSpec(o: CliOptions, jobs: number | 'auto'): AggregateSpec | undefined {
  const chosen = [o.aggregate && '--aggregate', o.reduce && !o.map && '--reduce', o.map && '--map'].filter(
    Boolean,
  );
  if (chosen.length > 1) throw new WeftError('E_USAGE', `${chosen.join(' and ')} exclude each other`);
  if (o.map && !o.reduce) throw new WeftError('E_USAGE', '--map needs --reduce CMD');
  if (o.partitions && !o.map) throw new WeftError('E_USAGE', '--partitions only applies with --map');
  if (o.aggregate) return { kind: 'fold', fold: parseAggregateKind(o.aggregate) };
  if (o.map) {
    const partitions = o.partitions ? parseCount(o.partitions, '--partitions') : plannedSlots({ jobs });
    return { kind: 'mapreduce', reduce: o.reduce!, partitions };
  }
  if (o.reduce) return { kind: 'reduce', reduce: o.reduce };
  return undefined;
}

/** `--queue URL` and its options; undefined without --queue. */
function queueSpec(o: CliOptions): QueueSpec | undefined {
  if (o.queue === undefined) {
    const stray = [o.maxPayload !== undefined && '--max-payload', o.runId !== undefined && '--run-id'].filter(
      Boolean,
    );
    if (stray.length)
      throw new WeftError(
        'E_USAGE',
        `${stray.join(' and ')} only ${stray.length > 1 ? 'apply' : 'applies'} with --queue URL`,
      );
    return undefined;
  }
  parseQueueUrl(o.queue); // E_OPTION now, not after the input is read
  if (o.resumeFailed)
    throw new WeftError('E_USAGE', '--resume-failed is not supported with --queue (--resume finishes a run)');
  const maxPayload =
    o.maxPayload === undefined ? DEFAULT_MAX_PAYLOAD : parseSize(o.maxPayload, '--max-payload');
  if (maxPayload <= 0)
    throw new WeftError('E_OPTION', `--max-payload: '${o.maxPayload}' must be a positive size`);
  return { url: o.queue, maxPayload, runId: o.runId === undefined ? undefined : checkRunId(o.runId) };
}

/** Maps parsed options and the words after them to a frozen JobSpec. */
export function toSpec(given: CliOptions, words: string[]): JobSpec {
  const o = {
    ...given,
    pipe: given.pipe || given.spreadstdin,
    lineBuffer: given.lineBuffer || given.lb,
    roundRobin: given.roundRobin || given.round || given.roundrobin,
  };
  const split = splitCommand(words, o.argSep, o.argFileSep);
  const { sources: commandSources } = split;
  if (o.map && split.command.length)
    throw new WeftError('E_USAGE', '--map CMD is the command; give no other command');
  const command = o.map ? [o.map] : split.command;
  if (o.js !== undefined && command.length)
    throw new WeftError('E_USAGE', `--js runs ${o.js} instead of a command; give no command`);
  const fileSources: InputSource[] = (o.argFile ?? []).map((f) =>
    f === '-' ? { kind: 'stdin' } : { kind: 'file', path: f },
  );
  const sources = [...fileSources, ...commandSources];
  const pipe = pipeSpec(o);
  // GNU ignores --block outside pipe mode; a value that is not a size is still a mistake.
  if (!pipe && o.block !== undefined && parseSize(o.block, '--block') <= 0)
    throw new WeftError('E_OPTION', `--block: '${o.block}' must be a positive size`);
  const queue = queueSpec(o);
  if (queue && o.js !== undefined)
    throw new WeftError('E_USAGE', '--js runs jobs in this process; it cannot be combined with --queue');
  // In queue mode -j is how many jobs may wait on the queue at once: the workers' slots, not ours.
  const jobs = o.jobs === undefined ? (queue ? QUEUE_JOBS : defaultJobs()) : parseJobs(o.jobs);
  if (o.maxJobs !== undefined && jobs !== 'auto')
    throw new WeftError('E_USAGE', '--max-jobs only applies with -j auto');
  if (o.results && (o.aggregate || o.reduce))
    throw new WeftError('E_USAGE', '--results and --aggregate/--reduce exclude each other');
  if (pipe && command.length === 0 && o.js === undefined)
    throw new WeftError('E_USAGE', '--pipe needs a command to feed the blocks to');
  if (pipe?.part && (o.maxReplaceArgs !== undefined || o.maxLines !== undefined)) {
    throw new WeftError('E_USAGE', '--pipepart cannot be combined with -N or -L (as in GNU parallel)');
  }
  if (pipe?.part && !sources.some((s) => s.kind === 'file')) {
    throw new WeftError('E_USAGE', '--pipepart needs a file: --pipepart -a FILE');
  }
  // A round-robin job's input is only known as it runs; a chunk file is on this machine.
  if (pipe?.roundRobin && !pipe.part && (o.cache !== undefined || o.dedupe))
    throw new WeftError('E_USAGE', '--round-robin cannot be combined with --cache or --dedupe');
  if (queue && (pipe?.roundRobin || pipe?.deliver))
    throw new WeftError('E_USAGE', '--round-robin, --cat and --fifo cannot be combined with --queue');
  if (o.resume && o.resumeFailed)
    throw new WeftError('E_USAGE', '--resume and --resume-failed exclude each other');
  if ((o.resume || o.resumeFailed) && !o.joblog && !o.journal && !queue)
    throw new WeftError('E_USAGE', '--resume needs --joblog FILE or --journal FILE');
  if (o.report !== undefined) reportFormat(o.report); // E_OPTION unless .json or .html
  if (o.joblogAttempts && !o.joblog) throw new WeftError('E_USAGE', '--joblog-attempts needs --joblog FILE');
  const retries = o.retries === undefined ? 1 : Math.max(1, parseCount(o.retries, '--retries', 0));
  for (const [given, name] of [
    [o.retryDelay, '--retry-delay'],
    [o.retryOn, '--retry-on'],
  ] as const) {
    if (given !== undefined && retries < 2)
      throw new WeftError('E_USAGE', `${name} needs --retries N (N of at least 2 attempts)`);
  }
  const termseq = o.termseq ?? o.termSeq;
  const mode = o.ungroup ? 'ungroup' : o.lineBuffer ? 'line-buffer' : 'group';
  // GNU: --colsep trims the columns unless --trim says otherwise.
  const trim =
    o.trim === 'rl' ? 'lr' : ((o.trim ?? (o.colsep !== undefined ? 'lr' : 'n')) as JobSpec['input']['trim']);
  const spec: JobSpec = {
    command,
    js: o.js,
    replace: o.I ?? '{}',
    quoteCommand: !!o.quote,
    input: {
      sources,
      delimiter: o.null ? '\0' : o.delimiter !== undefined ? unescapeDelimiter(o.delimiter) : '\n',
      trim,
      columns: columns(o),
      header: !pipe && o.header !== undefined,
      shuffle: !!o.shuf,
      link: !!o.link,
    },
    grouping: grouping(o, !!pipe),
    plus: !!o.plus,
    jobs,
    maxJobs: o.maxJobs === undefined ? undefined : Math.min(MAX_SLOTS, parseCount(o.maxJobs, '--max-jobs')),
    output: {
      mode,
      keepOrder: !!o.keepOrder,
      tag: !!o.tag || o.tagstring !== undefined,
      tagString: o.tagstring,
      resultsDir: o.results,
    },
    pipe,
    dryRun: !!o.dryRun,
    halt: o.halt === undefined ? { when: 'never', why: 'fail' } : parseHalt(o.halt),
    retries,
    retryDelay: o.retryDelay === undefined ? undefined : parseRetryDelay(o.retryDelay),
    retryOn: o.retryOn === undefined ? undefined : parseRetryOn(o.retryOn),
    termSeq: termseq === undefined ? undefined : parseTermseq(termseq),
    nice: o.nice === undefined ? undefined : parseNice(o.nice),
    timeout: o.timeout === undefined ? undefined : parseTimeout(o.timeout),
    delay: o.delay === undefined ? 0 : parseDuration(o.delay, '--delay'),
    ...limits(o, pipe),
    ...reuse(o),
    order: orderSpec(o, !!pipe),
    joblog: o.joblog,
    joblogAttempts: o.joblogAttempts || undefined,
    journal: o.journal,
    aggregate: aggregateSpec(o, jobs),
    report: o.report,
    resume: o.resumeFailed ? 'retry-failed' : o.resume ? 'skip-done' : 'none',
    queue,
    shell: defaultShell(),
    // WEFT_DISPATCH=spawn turns the slot-shell fast path off (tests run both paths).
    dispatch: process.env.WEFT_DISPATCH === 'spawn' ? 'spawn' : 'auto',
    env: {},
  };
  return Object.freeze(spec);
}
