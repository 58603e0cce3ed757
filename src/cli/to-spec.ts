import { parseDuration, parseSize } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import { parseHalt } from '../schedule/halt.js';
import { defaultJobs, defaultShell } from '../spec/defaults.js';
import type { ColumnMode, InputSource, JobSpec, PipeSpec } from '../spec/types.js';
import { splitCommand, unescapeDelimiter } from './inputs.js';
import { parseCount, parseJobs, parseTimeout } from './numbers.js';

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
  plus?: boolean;
  jobs?: string;
  delay?: string;
  timeout?: string;
  retries?: string;
  halt?: string;
  dryRun?: boolean;
  keepOrder?: boolean;
  group?: boolean;
  lineBuffer?: boolean;
  lb?: boolean;
  ungroup?: boolean;
  tag?: boolean;
  tagstring?: string;
  results?: string;
  joblog?: string;
  resume?: boolean;
  resumeFailed?: boolean;
  pipe?: boolean;
  spreadstdin?: boolean;
  pipepart?: boolean;
  block?: string;
  recstart?: string;
  recend?: string;
  regexp?: boolean;
  debug?: boolean;
  version?: boolean;
}

function grouping(o: CliOptions, pipe: boolean): JobSpec['grouping'] {
  if (o.X || o.m) return { kind: 'fill', context: !!o.X };
  if (!pipe && o.maxReplaceArgs) return { kind: 'exact', n: parseCount(o.maxReplaceArgs, '-N') };
  if (!pipe && o.maxLines) return { kind: 'exact', n: parseCount(o.maxLines, '-L') };
  if (o.maxArgs) return { kind: 'max', n: parseCount(o.maxArgs, '-n') };
  return { kind: 'single' };
}

function pipeSpec(o: CliOptions): PipeSpec | undefined {
  if (!o.pipe && !o.pipepart) return undefined;
  const records = o.maxReplaceArgs ?? o.maxLines;
  const header =
    o.header === undefined
      ? undefined
      : o.header === ':'
        ? { lines: 1 }
        : /^\d+$/.test(o.header)
          ? { lines: Number(o.header) }
          : { regex: o.header };
  const block = o.block === undefined ? 1 << 20 : parseSize(o.block, '--block');
  if (block === 0 || (block < 0 && !o.pipepart))
    throw new WeftError('E_OPTION', `--block: '${o.block}' must be a positive size`);
  return {
    part: !!o.pipepart,
    block,
    records: records === undefined ? undefined : parseCount(records, o.maxLines ? '-L' : '-N'),
    recStart: o.recstart ?? '',
    recEnd: o.recend ?? (o.recstart !== undefined && o.regexp ? '' : '\n'),
    regexp: !!o.regexp,
    header,
  };
}

function columns(o: CliOptions): ColumnMode {
  if (o.csv) return { kind: 'csv' };
  if (o.colsep !== undefined) {
    try {
      new RegExp(o.colsep);
    } catch {
      throw new WeftError('E_OPTION', `--colsep: '${o.colsep}' is not a valid regular expression`);
    }
    return { kind: 'colsep', pattern: o.colsep };
  }
  // GNU: --header splits columns at TAB unless told otherwise.
  if (o.header !== undefined) return { kind: 'colsep', pattern: '\t' };
  return { kind: 'none' };
}

/** Maps parsed options and the words after them to a frozen JobSpec. */
export function toSpec(given: CliOptions, words: string[]): JobSpec {
  const o = { ...given, pipe: given.pipe || given.spreadstdin, lineBuffer: given.lineBuffer || given.lb };
  const { command, sources: commandSources } = splitCommand(words, o.argSep, o.argFileSep);
  const fileSources: InputSource[] = (o.argFile ?? []).map((f) =>
    f === '-' ? { kind: 'stdin' } : { kind: 'file', path: f },
  );
  const sources = [...fileSources, ...commandSources];
  const pipe = pipeSpec(o);
  if (pipe && command.length === 0)
    throw new WeftError('E_USAGE', '--pipe needs a command to feed the blocks to');
  if (pipe?.part && !sources.some((s) => s.kind === 'file')) {
    throw new WeftError('E_USAGE', '--pipepart needs a file: --pipepart -a FILE');
  }
  if (o.resume && o.resumeFailed)
    throw new WeftError('E_USAGE', '--resume and --resume-failed exclude each other');
  if ((o.resume || o.resumeFailed) && !o.joblog)
    throw new WeftError('E_USAGE', '--resume needs --joblog FILE');
  const mode = o.ungroup ? 'ungroup' : o.lineBuffer ? 'line-buffer' : 'group';
  const trim = o.trim === 'rl' ? 'lr' : ((o.trim ?? 'n') as JobSpec['input']['trim']);
  const spec: JobSpec = {
    command,
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
    jobs: o.jobs === undefined ? defaultJobs() : parseJobs(o.jobs),
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
    retries: o.retries === undefined ? 1 : Math.max(1, parseCount(o.retries, '--retries', 0)),
    timeout: o.timeout === undefined ? undefined : parseTimeout(o.timeout),
    delay: o.delay === undefined ? 0 : parseDuration(o.delay, '--delay'),
    joblog: o.joblog,
    resume: o.resumeFailed ? 'retry-failed' : o.resume ? 'skip-done' : 'none',
    shell: defaultShell(),
    // WEFT_DISPATCH=spawn turns the slot-shell fast path off (tests run both paths).
    dispatch: process.env.WEFT_DISPATCH === 'spawn' ? 'spawn' : 'auto',
    env: {},
  };
  return Object.freeze(spec);
}
