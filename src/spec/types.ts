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

/** How job outputs are folded into one answer (docs/cookbook.md). */
export type AggregateSpec =
  | { kind: 'fold'; fold: 'concat' | 'sum' | 'count' | 'min' | 'max' | 'mean' | 'uniq' | 'count-distinct' }
  | { kind: 'reduce'; reduce: string }
  | { kind: 'mapreduce'; reduce: string; partitions: number };

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
  /** Seconds, or a percentage of the median runtime. */
  timeout?: { seconds: number } | { percent: number };
  /** Seconds between job starts. */
  delay: number;
  joblog?: string;
  /** `--aggregate`, `--reduce`, `--map … --reduce`: fold all outputs into one answer. */
  aggregate?: AggregateSpec;
  /** `--report FILE.json|FILE.html`: written when the run ends (docs/reports.md). */
  report?: string;
  resume: 'none' | 'skip-done' | 'retry-failed';
  /** Shell used to run commands. */
  shell: string;
  /** How jobs start: a persistent shell per slot where possible (`auto`), or one spawn per job. */
  dispatch: 'auto' | 'spawn';
  /** Extra environment for every job. */
  env: Record<string, string>;
  cwd?: string;
}
