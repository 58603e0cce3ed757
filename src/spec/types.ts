/** One input source: literal values (`:::`), a file (`::::`, `-a`), or standard input. */
export type InputSource =
  | { kind: 'values'; values: string[]; link?: boolean }
  | { kind: 'file'; path: string; link?: boolean }
  | { kind: 'stdin'; link?: boolean };

/** How records become columns: not at all, by a regex (`--colsep`), or as CSV (`--csv`). */
export type ColumnMode =
  { kind: 'none' } | { kind: 'colsep'; pattern: string } | { kind: 'csv'; delimiter: string };

/** `--halt when,why=N|N%`. */
export interface HaltPolicy {
  when: 'never' | 'now' | 'soon';
  why: 'fail' | 'success' | 'done';
  count?: number;
  percent?: number;
}

/** `--retry-delay`: seconds before each retry; with `max`, doubling from `min` up to `max`, with full jitter. */
export interface RetryDelay {
  min: number;
  max?: number;
}

/** `--retry-on`: the failures worth another attempt (a code above 128 is also signal code−128). */
export interface RetryOn {
  exitCodes: number[];
  signals: number[];
  timeout: boolean;
}

/** One step of `--termseq`: send the signal, wait up to `ms` for the job's process group to die. */
export interface TermStep {
  signal: NodeJS.Signals;
  ms: number;
}

/** Where output goes and how it is grouped. */
export interface OutputSpec {
  mode: 'group' | 'line-buffer' | 'ungroup';
  keepOrder: boolean;
  tag: boolean;
  tagString?: string;
  resultsDir?: string;
}

/** Pipe mode (`--pipe`, `--pipepart`): stdin or a file cut into blocks fed to each job's stdin. */
export interface PipeSpec {
  part: boolean;
  /** Block size in bytes. */
  block: number;
  /** Records per chunk (`-N`); undefined means by block size. */
  records?: number;
  /** `-L N`: a record is N lines. */
  recordLines?: number;
  /** weft's format-aware chunking (`--format`, `--records`, `--key`, …) instead of GNU's splitter. */
  formats?: FormatChunking;
  recStart: string;
  recEnd: string;
  regexp: boolean;
  /** Header: a number of lines, or a regex matched at the start of input. */
  header?: { lines: number } | { regex: string };
  /** Hand each chunk to its job as a temporary file (`--cat`) or named pipe (`--fifo`), named by `{}`. */
  deliver?: 'file' | 'fifo';
  /** `--round-robin`: start at most `jobs` jobs and deal every chunk to one of them. */
  roundRobin?: boolean;
}

/** `--format` and friends: record-safe chunks of CSV, TSV, JSON, NDJSON or lines. */
export interface FormatChunking {
  /** undefined: from the file's extension, else lines. */
  format?: 'csv' | 'tsv' | 'json' | 'ndjson' | 'lines';
  records?: number;
  windowMs?: number;
  key?: string;
  partitions?: number;
  overlap?: number;
  emit?: 'json' | 'ndjson';
  onBadRecord: 'fail' | 'skip' | { quarantine: string };
}

/** Input splitting options that apply to every source. */
export interface InputSpec {
  sources: InputSource[];
  /** Record delimiter for argument input (`\n`, `\0` or `-d`). */
  delimiter: string;
  trim: 'n' | 'l' | 'r' | 'lr';
  columns: ColumnMode;
  /** `--header :` (first record names the columns) */
  header: boolean;
  shuffle: boolean;
  /** Link all sources instead of forming their product (`--link`). */
  link: boolean;
}

/**
 * Which job starts first (`--order lpt`, `--priority`). Any of it reads the whole input before
 * the first job starts; sequence numbers stay the input order (docs/scheduling.md).
 */
export interface OrderSpec {
  /** `lpt`: longest (highest cost) first; `input`: as read. */
  by: 'input' | 'lpt';
  /** What a job costs with `lpt`: `file-size` (default), `file-size:TEMPLATE`, or a numeric TEMPLATE. */
  cost?: string;
  /** A numeric TEMPLATE per job; higher starts first, before cost is looked at. */
  priority?: string;
}

/** How job outputs are folded into one answer (docs/cookbook.md). */
export type AggregateSpec =
  | { kind: 'fold'; fold: 'concat' | 'sum' | 'count' | 'min' | 'max' | 'mean' | 'uniq' | 'count-distinct' }
  | { kind: 'reduce'; reduce: string }
  | { kind: 'mapreduce'; reduce: string; partitions: number };

/** `--rate N/s --burst B`: a token bucket on job starts (docs/scheduling.md). */
export interface RateLimit {
  perSecond: number;
  /** Starts allowed at once after a pause (the bucket's size); at least 1. */
  burst: number;
}

/** `--key … --max-per-key N`: at most `max` jobs at once per key. */
export interface PerKeyLimit {
  max: number;
  /** Argument jobs: the key template (`{1}`, `{host}`); undefined: the `--key FIELD` partition of format chunks. */
  template?: string;
}

/** `--cache DIR`: successful results stored by the hash of command line, stdin and named env. */
export interface CacheSpec {
  dir: string;
  /** Entries older than this are run again. */
  ttlSeconds?: number;
  /** Environment variables whose values are part of the key (`--cache-env`). */
  env: string[];
}

/** Distributed mode (`--queue`): jobs go to a Redis queue that `weft --worker` processes drain. */
export interface QueueSpec {
  /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url: string;
  /** Largest job (chunk plus command line) and largest job output, in bytes. */
  maxPayload: number;
  /** The run's id on the queue; by default derived from the command line (so `--resume` finds it). */
  runId?: string;
}

/** The frozen, validated description of a run. Everything later stages need, nothing else. */
export interface JobSpec {
  /** Command words as given; empty means "each input record is the command". */
  command: string[];
  /** `--js FILE`: a JavaScript module whose default export runs each job instead of a command. */
  js?: string;
  /** Replacement string for `{}` (`-I`). */
  replace: string;
  /** Quote the command words (`-q`). */
  quoteCommand: boolean;
  input: InputSpec;
  /** Arguments per job: `-n` (max, at least 1), `-N` (exact, pad empty), `-X`/`-m` (fill the line). */
  grouping:
    | { kind: 'single' }
    | { kind: 'max'; n: number }
    | { kind: 'exact'; n: number }
    | { kind: 'fill'; context: boolean };
  plus: boolean;
  /** Job slots, or `auto`: adaptive concurrency (docs/scheduling.md). */
  jobs: number | 'auto';
  /** With `jobs: 'auto'`, the most slots it may open (default 256). */
  maxJobs?: number;
  output: OutputSpec;
  pipe?: PipeSpec;
  dryRun: boolean;
  halt: HaltPolicy;
  /** Attempts per job (`--retries`; at least 1). */
  retries: number;
  /** Wait before a retry (`--retry-delay`); none by default, as GNU. */
  retryDelay?: RetryDelay;
  /** Retry only these failures (`--retry-on`); any failure by default, as GNU. */
  retryOn?: RetryOn;
  /** How weft kills a job (timeout, --halt now, a second signal): GNU's `--termseq`. */
  termSeq?: TermStep[];
  /** Niceness of every job (`--nice`). */
  nice?: number;
  /** Seconds, or a percentage of the median runtime. */
  timeout?: { seconds: number } | { percent: number };
  /** Seconds between job starts. */
  delay: number;
  /** Admission limits asked before each start (docs/scheduling.md). */
  rate?: RateLimit;
  perKey?: PerKeyLimit;
  /** `--memfree SIZE`: bytes of free memory below which no new job starts. */
  memfree?: number;
  /** Reusing results: across runs (`--cache`), within a run (`--dedupe`, optionally within a window). */
  cache?: CacheSpec;
  dedupe?: { windowSeconds?: number };
  /** Start order other than the input's (`--order lpt`, `--priority`); undefined: input order. */
  order?: OrderSpec;
  joblog?: string;
  /** Write a joblog row for every attempt, with an Attempt column (`--joblog-attempts`). */
  joblogAttempts?: boolean;
  /** `--journal FILE`: crash-safe record of finished jobs and their output (docs/reliability.md). */
  journal?: string;
  /** `--aggregate`, `--reduce`, `--map … --reduce`: fold all outputs into one answer. */
  aggregate?: AggregateSpec;
  /** `--report FILE.json|FILE.html`: written when the run ends (docs/reports.md). */
  report?: string;
  resume: 'none' | 'skip-done' | 'retry-failed';
  /** Run the jobs on a Redis queue instead of here (docs/distributed.md). */
  queue?: QueueSpec;
  /** Shell used to run commands. */
  shell: string;
  /** How jobs start: a persistent shell per slot where possible (`auto`), or one spawn per job. */
  dispatch: 'auto' | 'spawn';
  /** Extra environment for every job. */
  env: Record<string, string>;
  cwd?: string;
}
