import { AGGREGATE_KINDS } from '../aggregate/kinds.js';
import { flag, notYet, words, type Field } from './field.js';
import * as k from './kinds.js';
import { isKeyTemplate } from '../schedule/per-key.js';

export { CLI_ONLY, fieldToCli, liftFlag, type CliKey, type Field } from './field.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v)]);

/** Every field of a job spec, by its dotted path, in the order --print-spec and the docs use. */
export const FIELDS = {
  'input.path': {
    kind: k.paths,
    sets: ['argFile'],
    flag: '-a',
    doc: 'read arguments (or, with chunk/format fields, records) from these files',
    toCli: (v) => ({ argFile: list(v) }),
    fromCli: (o) => {
      const files = (o.argFile ?? []).filter((f) => f !== '-');
      return files.length === 0 ? undefined : files.length === 1 ? files[0] : files;
    },
  },
  'input.stdin': {
    kind: k.bool,
    sets: ['argFile'],
    flag: '-a -',
    doc: 'also read arguments from standard input (the default when no input is given)',
    toCli: (v) => (v ? { argFile: ['-'] } : {}),
    fromCli: (o) => (o.argFile?.includes('-') ? true : undefined),
  },
  'input.values': {
    kind: k.values,
    sets: null,
    why: 'On the command line: ::: a b (one source per :::).',
    doc: 'literal arguments (`::: a b`); a list of lists is several sources (their product)',
  },
  'input.format': flag(
    'format',
    '--format',
    k.choice(['csv', 'tsv', 'json', 'ndjson', 'lines']),
    'cut input into whole records of this format (turns on chunking)',
    'from the file name',
  ),
  'input.header': {
    ...flag(
      'header',
      '--header',
      k.header,
      'the first record names the columns ({name}); in pipe mode repeated per chunk',
    ),
    toCli: (v) => ({ header: v === true ? ':' : String(v) }),
  },
  'input.delimiter': flag(
    'delimiter',
    '-d',
    k.anyText,
    'arguments are separated by this (\\n, \\t, \\0, \\xHH)',
    '\\n',
  ),
  'input.null': flag('null', '-0', k.bool, 'arguments are separated by NUL', 'false'),
  'input.csv': flag(
    'csv',
    '--csv',
    k.bool,
    'arguments are CSV records (quoted fields, embedded newlines)',
    'false',
  ),
  'input.colsep': flag(
    'colsep',
    '--colsep',
    k.regex,
    'split each argument into columns {1} {2} … at this regex',
  ),
  'input.trim': flag(
    'trim',
    '--trim',
    k.choice(['n', 'l', 'r', 'lr', 'rl']),
    'trim whitespace of arguments',
    'n',
  ),
  'input.shuffle': flag('shuf', '--shuf', k.bool, 'run jobs in random order', 'false'),
  'input.link': flag(
    'link',
    '--link',
    k.bool,
    'link input sources instead of forming their product',
    'false',
  ),
  'input.on-bad-record': flag(
    'onBadRecord',
    '--on-bad-record',
    k.badRecord,
    'what to do with a malformed record',
    'fail',
  ),
  'chunk.records': flag('records', '--records', k.count(1), 'records per chunk (instead of chunk.block)'),
  'chunk.block': flag(
    'block',
    '--block',
    k.size,
    'chunk size in bytes (K, M, G: powers of 1024; k, m, g: of 1000)',
    '1M',
  ),
  'chunk.window': flag(
    'window',
    '--window',
    k.duration,
    'flush a partial chunk after this long (live streams)',
  ),
  'chunk.key': {
    ...flag('key', '--key', k.fieldRef, 'send all records with one key (a field or column) to one partition'),
    // --key is shared with concurrency.key: a template there, a field or column here.
    fromCli: (o) =>
      o.key === undefined || isKeyTemplate(o.key, o.I) ? undefined : k.fieldRef.fromFlag!(o.key),
  },
  'chunk.overlap': flag(
    'overlap',
    '--overlap',
    k.count(0),
    'repeat the last N records of a chunk at the start of the next',
    '0',
  ),
  'chunk.emit': flag(
    'emit',
    '--emit',
    k.choice(['json', 'ndjson']),
    'JSON input: each chunk as a JSON array or NDJSON',
  ),
  command: {
    kind: k.command,
    sets: null,
    why: 'On the command line: the words after the options (weft CMD ARGS).',
    doc: 'the command: one string (run by the shell), or a list of words (joined like command-line words)',
  },
  js: flag(
    'js',
    '--js',
    k.text,
    "run each job with this JavaScript module's default export (in worker threads) instead of a command",
  ),
  'args.replace': flag('I', '-I', k.text, 'use this instead of {} as the replacement string', '{}'),
  'args.max-args': flag('maxArgs', '-n', k.count(0), 'at most N arguments per command line'),
  'args.exact-args': flag(
    'maxReplaceArgs',
    '-N',
    k.count(0),
    'exactly N arguments per command line ({1}..{N}); in pipe mode, records per chunk',
  ),
  'args.max-lines': flag(
    'maxLines',
    '-L',
    k.count(0),
    'N input lines per command line; in pipe mode, records of N lines',
  ),
  'args.fill': words(
    ['X', 'm'],
    '-X / -m',
    { context: { X: true }, words: { m: true } },
    'as many arguments as fit: repeating the word around {} (context) or space-separated in {} (words)',
  ),
  'args.quote': flag('quote', '-q', k.bool, 'quote the command words (no shell interpretation)', 'false'),
  'args.plus': flag(
    'plus',
    '--plus',
    k.bool,
    'enable the {##} {0#} {..} {+.} … replacement strings',
    'false',
  ),
  'concurrency.jobs': flag(
    'jobs',
    '-j',
    k.jobs,
    'job slots: N, N% of the cores, +N, -N, 0 for as many as possible, or auto (adapts to throughput); with --queue, jobs on the queue at once',
    'one per core (64 with --queue)',
  ),
  'concurrency.max-jobs': flag(
    'maxJobs',
    '--max-jobs',
    k.count(1),
    'with jobs: auto, the most jobs it may run at once',
    '256',
  ),
  'concurrency.delay': flag('delay', '--delay', k.duration, 'wait this long between job starts', '0'),
  'concurrency.rate': flag(
    'rate',
    '--rate',
    k.rate,
    'at most this many job starts per second/minute/hour (a token bucket)',
  ),
  'concurrency.burst': flag(
    'burst',
    '--burst',
    k.count(1),
    'with rate: this many jobs may start at once after a pause',
    '1',
  ),
  'concurrency.key': {
    ...flag('key', '--key', k.keyTemplate, 'the job key for per-key, a template such as {1} or {host}'),
    fromCli: (o) => (o.key !== undefined && isKeyTemplate(o.key, o.I) ? o.key : undefined),
  },
  'concurrency.per-key': flag(
    'maxPerKey',
    '--max-per-key',
    k.count(1),
    'at most this many jobs at once per concurrency.key (or per chunk.key partition)',
  ),
  'concurrency.memfree': flag(
    'memfree',
    '--memfree',
    k.size,
    'start no job while free memory is below this size',
  ),
  'retry.attempts': flag(
    'retries',
    '--retries',
    k.count(0),
    'run a failing job up to this many times (0 and 1: once)',
    '1',
  ),
  'retry.delay': flag(
    'retryDelay',
    '--retry-delay',
    k.retryDelay,
    'wait this long before each retry; MIN..MAX doubles from MIN up to MAX, with full jitter',
    '0',
  ),
  'retry.on': {
    ...flag(
      'retryOn',
      '--retry-on',
      k.retryOn,
      'retry only these failures: exit codes, signal names (KILL) and timeout',
      'any failure',
    ),
    toCli: (v) => ({ retryOn: Array.isArray(v) ? v.join(',') : String(v) }),
  },
  timeout: flag(
    'timeout',
    '--timeout',
    k.timeout,
    'kill a job (its process group) after this long, or N% of the median runtime',
  ),
  termseq: flag(
    'termseq',
    '--termseq',
    k.termseq,
    'how a job is killed (timeout, halt now, a second signal): signal,ms pairs',
    'TERM,200,TERM,100,TERM,50,KILL,25',
  ),
  nice: flag('nice', '--nice', k.niceness, 'run every job at this niceness'),
  halt: flag('halt', '--halt', k.halt, 'stop early: now|soon,fail|success|done=N|N%', 'never'),
  dedupe: {
    kind: k.dedupe,
    sets: ['dedupe', 'dedupeWindow'],
    flag: '--dedupe / --dedupe-window',
    doc: 'run identical jobs once and give duplicates the result: true (the whole run) or a window',
    default: 'false',
    toCli: (v) =>
      v === false ? {} : v === true ? { dedupe: true } : { dedupe: true, dedupeWindow: String(v) },
    fromCli: (o) =>
      o.dedupeWindow !== undefined ? k.duration.fromFlag!(o.dedupeWindow) : o.dedupe ? true : undefined,
  },
  'cache.dir': flag('cache', '--cache', k.text, 'reuse successful results stored in this directory'),
  'cache.ttl': flag('cacheTtl', '--cache-ttl', k.duration, 'run jobs whose stored result is older than this'),
  'cache.env': {
    kind: k.names,
    sets: ['cacheEnv'],
    flag: '--cache-env',
    doc: 'environment variables whose values are part of the cache key',
    toCli: (v) => ({ cacheEnv: (Array.isArray(v) ? v : [v]).map(String).join(',') }),
    fromCli: (o) => {
      if (o.cacheEnv === undefined) return undefined;
      const names = o.cacheEnv
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      return names.length === 1 ? names[0] : names;
    },
  },
  'dry-run': flag('dryRun', '--dry-run', k.bool, 'print the commands instead of running them', 'false'),
  'schedule.order': flag(
    'order',
    '--order',
    k.choice(['input', 'lpt']),
    'start jobs in input order, or longest first by schedule.cost (lpt; reads all input first)',
    'input',
  ),
  'schedule.cost': flag(
    'cost',
    '--cost',
    k.text,
    'what a job costs with lpt: file-size, file-size:{N}, or a template giving a number ({2}, {name})',
    'file-size',
  ),
  'schedule.priority': flag(
    'priority',
    '--priority',
    k.text,
    'a template giving a number per job ({2}, {name}); higher starts first (reads all input first)',
  ),
  'output.order': words(
    ['keepOrder'],
    '-k',
    { keep: { keepOrder: true }, finish: { keepOrder: false } },
    'print output in input order (keep) or as jobs finish',
    'finish',
  ),
  'output.buffer': words(
    ['group', 'lineBuffer', 'ungroup'],
    '--group / --line-buffer / -u',
    { group: { group: true }, line: { lineBuffer: true }, ungroup: { ungroup: true } },
    "each job's output as one block (group), line by line (line), or as it arrives (ungroup)",
    'group',
  ),
  'output.tag': flag('tag', '--tag', k.bool, 'prefix each output line with the arguments and a TAB', 'false'),
  'output.tagstring': flag(
    'tagstring',
    '--tagstring',
    k.text,
    'prefix each output line with this (replacement strings allowed)',
  ),
  'output.results': flag(
    'results',
    '--results',
    k.text,
    "save each job's stdout, stderr and seq under this directory (GNU layout)",
  ),
  'output.file': notYet(k.text, 'write the output to this file instead of stdout'),
  'aggregate.fold': flag(
    'aggregate',
    '--aggregate',
    k.choice(AGGREGATE_KINDS),
    'fold all outputs into one answer',
  ),
  'aggregate.reduce': flag(
    'reduce',
    '--reduce',
    k.text,
    'pipe all outputs, in input order, through this command once (with map: per partition)',
  ),
  'aggregate.map': flag(
    'map',
    '--map',
    k.text,
    'MapReduce: this command emits key<TAB>value lines, shuffled by key to reduce',
  ),
  'aggregate.partitions': flag(
    'partitions',
    '--partitions',
    k.count(1),
    'MapReduce partitions, one reducer each',
    'concurrency.jobs',
  ),
  'logs.joblog': flag('joblog', '--joblog', k.text, 'write a GNU-format joblog to this file'),
  'logs.joblog-attempts': flag(
    'joblogAttempts',
    '--joblog-attempts',
    k.bool,
    'a joblog row for every attempt, with an Attempt column (2+ when another attempt follows)',
    'false',
  ),
  'logs.journal': flag(
    'journal',
    '--journal',
    k.text,
    "crash-safe journal: keep each finished job's output in this file; resume replays it",
  ),
  'logs.events': flag(
    'events',
    '--events',
    k.text,
    'write every event as a JSON line to this file (- is stderr)',
  ),
  'logs.report': flag('report', '--report', k.reportFile, 'write a run report to FILE.json or FILE.html'),
  'logs.resume': words(
    ['resume', 'resumeFailed'],
    '--resume / --resume-failed',
    { 'skip-done': { resume: true }, 'retry-failed': { resumeFailed: true } },
    'skip jobs the joblog (or journal) records as done (skip-done), or as succeeded (retry-failed); with queue.url, finish the run the queue holds',
  ),
  'logs.bar': flag(
    'bar',
    '--bar / --no-bar',
    k.bool,
    'show a progress bar on stderr (true), or never (false)',
    'on a terminal',
  ),
  'logs.progress': flag(
    'progress',
    '--progress',
    k.bool,
    "show GNU parallel's progress line on stderr",
    'false',
  ),
  'logs.eta': flag('eta', '--eta', k.bool, 'show the estimated time left on stderr', 'false'),
  'pipe.mode': words(
    ['pipe', 'pipepart'],
    '--pipe / --pipepart',
    { pipe: { pipe: true }, pipepart: { pipepart: true } },
    "cut stdin (pipe) or the input.path file (pipepart) into blocks, one per job's stdin",
  ),
  'pipe.recstart': flag('recstart', '--recstart', k.anyText, 'records start with this'),
  'pipe.recend': flag('recend', '--recend', k.anyText, 'records end with this', '\\n'),
  'pipe.regexp': flag(
    'regexp',
    '--regexp',
    k.bool,
    'pipe.recstart and pipe.recend are regular expressions',
    'false',
  ),
  'pipe.deliver': words(
    ['cat', 'fifo'],
    '--cat / --fifo',
    { file: { cat: true }, fifo: { fifo: true } },
    'give each job its chunk as a temporary file (file) or named pipe (fifo) named by {}, not on stdin',
    'stdin',
  ),
  'pipe.round-robin': flag(
    'roundRobin',
    '--round-robin',
    k.bool,
    'start one job per slot and deal every chunk to one of them',
    'false',
  ),
  'queue.url': flag(
    'queue',
    '--queue',
    k.redisUrl,
    'run the jobs on this Redis queue; `weft --worker` processes on any machine run them (docs/distributed.md)',
  ),
  'queue.max-payload': flag(
    'maxPayload',
    '--max-payload',
    k.size,
    'largest job (chunk and command line) and largest job output sent through the queue',
    '16M',
  ),
  'queue.run-id': flag(
    'runId',
    '--run-id',
    k.runId,
    "the run's id on the queue (by default derived from the command line, so --resume finds it)",
    'from the command line',
  ),
  env: {
    kind: k.env,
    sets: null,
    why: 'No flag: sets the environment of every job (JobSpec.env).',
    doc: 'environment variables for every job',
  },
} satisfies Record<string, Field>;

/** A field's dotted path. */
export type FieldPath = keyof typeof FIELDS;

/** Every field, in table order. */
export const FIELD_LIST = Object.entries(FIELDS) as [FieldPath, Field][];

/** What each section is for (the JSON Schema and docs/spec.md describe sections with these). */
export const SECTIONS: Record<string, string> = {
  input: 'where the arguments or records come from and how they are split',
  chunk: 'record-safe chunks (turns on chunking; each chunk is one job’s stdin)',
  args: 'how arguments become command lines',
  concurrency: 'how many jobs run at once',
  schedule: 'which job starts first (docs/scheduling.md)',
  retry: 'running failed jobs again',
  cache: 'reusing results across runs (docs/scheduling.md)',
  output: 'where job output goes and in which order',
  aggregate: 'folding all outputs into one answer',
  logs: 'joblog, events, reports and progress displays',
  pipe: "GNU parallel's pipe mode: stdin or a file cut into blocks",
  queue: 'distributed mode: jobs go to a Redis queue that `weft --worker` processes drain',
};
