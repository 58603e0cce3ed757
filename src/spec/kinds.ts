import type { ZodType, z as Zod } from 'zod';
import { parseSize } from '../chunk/units.js';
import { parseTimeout } from '../cli/numbers.js';
import { parseTermseq } from '../exec/terminate.js';
import { parseQueueUrl } from '../queue/url.js';
import { parseHalt } from '../schedule/halt.js';
import { parseRetryDelay, parseRetryOn } from '../schedule/retry.js';
import { isKeyTemplate } from '../schedule/per-key.js';
import { parseRate } from '../schedule/rate.js';

/** The zod namespace; spec modules get it by dynamic import, so ordinary runs never load zod. */
export type ZodApi = typeof Zod;

/** A kind of spec value: how zod checks it, how errors and docs name it, how a flag's text maps onto it. */
export interface Kind {
  /** Ends "FIELD must be …, got X". */
  expected: string;
  /** The same for one element of a list or mapping value. */
  item?: string;
  /** The type column of docs/spec.md. */
  type: string;
  build(z: ZodApi): ZodType;
  /** A flag's text as the YAML would hold it (`--records 5` → 5), for --print-spec and merging. */
  fromFlag?(text: string): unknown;
}

/** Numbers stay numbers: `5` → 5, `1.5` → 1.5, anything else unchanged. */
const numeric = (text: string): unknown => (/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);

/** True when `fn` does not throw (the CLI parsers throw a WeftError on bad input). */
function parses(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

const DURATION = /^\d+(\.\d+)?(ms|s|m|h|d)?$/;
const SIZE = /^-?\d+(\.\d+)?[kmgtpKMGTP]?$/;
const JOBS = /^([+-]?\d+(\.\d+)?%?|auto)$/;

const scalar = (z: ZodApi) => z.union([z.string(), z.number(), z.boolean()]);

/** true or false. */
export const bool: Kind = { expected: 'must be true or false', type: 'boolean', build: (z) => z.boolean() };

/** Any non-empty string. */
export const text: Kind = {
  expected: 'must be a non-empty string',
  type: 'string',
  build: (z) => z.string().min(1),
};

/** A string that may be empty (delimiters, record strings). */
export const anyText: Kind = { expected: 'must be a string', type: 'string', build: (z) => z.string() };

/** A regular expression. */
export const regex: Kind = {
  expected: 'must be a valid regular expression',
  type: 'regex',
  build: (z) => z.string().refine((v) => parses(() => new RegExp(v))),
};

/** A field name or a column number. */
export const fieldRef: Kind = {
  expected: 'must be a field name or a column number',
  type: 'string | integer',
  build: (z) => z.union([z.string().min(1), z.int().min(1)]),
  fromFlag: numeric,
};

/** A whole number of at least `min` (0 or 1). */
export const count = (min: 0 | 1): Kind => ({
  expected: min === 1 ? 'must be a positive integer' : 'must be a whole number (0 or more)',
  type: `integer ≥ ${min}`,
  build: (z) => z.int().min(min),
  fromFlag: numeric,
});

/** Seconds, or a number with a unit: 1.5, 30s, 5m, 2h, 1d, 200ms. */
export const duration: Kind = {
  expected: 'must be a duration (e.g. 1.5, 30s, 5m)',
  type: 'duration',
  build: (z) => z.union([z.number().min(0), z.string().regex(DURATION)]),
  fromFlag: numeric,
};

/** A duration above 0, or N% of the median runtime. */
export const timeout: Kind = {
  expected: 'must be a duration above 0 (e.g. 30s, 5m) or a percentage of the median runtime (e.g. 200%)',
  type: 'duration | N%',
  build: (z) =>
    z
      .union([z.number().gt(0), z.string().regex(/^\d+(\.\d+)?(%|ms|s|m|h|d)?$/)])
      .refine((v) => parses(() => parseTimeout(String(v)))),
  fromFlag: numeric,
};

/** Bytes, with GNU's units: K, M, G are powers of 1024, k, m, g powers of 1000. */
export const size: Kind = {
  expected: 'must be a size other than 0 (e.g. 64k, 1M)',
  type: 'size',
  build: (z) =>
    z
      .union([z.int(), z.string().regex(SIZE)])
      .refine((v) => parses(() => parseSize(String(v), 'size')) && parseSize(String(v), 'size') !== 0),
  fromFlag: numeric,
};

/** Job slots: N, N% of the cores, +N, -N, 0 for as many as possible, or auto. */
export const jobs: Kind = {
  expected: 'must be a number of jobs (N, N%, +N, -N, 0 or auto)',
  type: 'integer | N% | +N | -N | auto',
  build: (z) => z.union([z.int().min(0), z.string().regex(JOBS)]),
  fromFlag: numeric,
};

/** GNU's halt policy. */
export const halt: Kind = {
  expected: 'must be a halt policy (e.g. now,fail=1 or soon,fail=10%)',
  type: 'string',
  build: (z) => z.union([z.string(), z.int()]).refine((v) => parses(() => parseHalt(String(v)))),
};

/** One of a fixed set of words. */
export const choice = (values: readonly [string, ...string[]]): Kind => ({
  expected: `must be one of ${values.join(', ')}`,
  type: values.join(' | '),
  build: (z) => z.enum(values),
});

/** A file name or a list of them. */
export const paths: Kind = {
  expected: 'must be a file name or a list of file names',
  item: 'must be a file name',
  type: 'string | string[]',
  build: (z) => z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
};

/** A command: one string for the shell, or a list of words. */
export const command: Kind = {
  expected: 'must be a command (a string, or a list of words)',
  item: 'must be a word (a string or a number)',
  type: 'string | string[]',
  build: (z) => z.union([z.string().min(1), z.array(z.union([z.string(), z.number()])).min(1)]),
};

/** Input values: one list, or a list of lists (one per source; their product, or linked). */
export const values: Kind = {
  expected: 'must be a list of values, or a list of lists (one per input source)',
  item: 'must be a value (a string, a number or true/false)',
  type: 'scalar[] | scalar[][]',
  build: (z) => z.union([z.array(scalar(z)).min(1), z.array(z.array(scalar(z)).min(1)).min(1)]),
};

/** Environment variables for every job. */
export const env: Kind = {
  expected: 'must be a mapping of variable names to values',
  item: 'must be a string, a number or true/false',
  type: 'map of string',
  build: (z) => z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), scalar(z)),
};

/** `--header`: true (first record names the columns), a number of lines, or a regex. */
export const header: Kind = {
  expected: 'must be true, a number of lines, or a regular expression',
  type: 'true | integer | regex',
  build: (z) => z.union([z.literal(true), z.int().min(1), z.string().min(1)]),
  fromFlag: (t) => (t === ':' ? true : numeric(t)),
};

/** `--on-bad-record`. */
export const badRecord: Kind = {
  expected: 'must be fail, skip or quarantine:FILE',
  type: 'fail | skip | quarantine:FILE',
  build: (z) => z.string().regex(/^(fail|skip|quarantine[:=].+)$/),
};

/** A report file: the extension chooses the format. */
export const reportFile: Kind = {
  expected: 'must be a file name ending in .json or .html',
  type: 'string',
  build: (z) => z.string().regex(/\.(json|html?)$/i),
};

/** Starts per second, minute or hour (a bare number is per second). */
export const rate: Kind = {
  expected: 'must be a rate (e.g. 10/s, 100/m)',
  type: 'N/s | N/m | N/h',
  build: (z) =>
    z
      .union([z.number().gt(0), z.string().regex(/^\d+(\.\d+)?(\/(s|m|h))?$/)])
      .refine((v) => parses(() => parseRate(v))),
  fromFlag: numeric,
};

/** A job key template: text with a replacement string (`{1}`, `{host}`). */
export const keyTemplate: Kind = {
  expected: 'must be a template with a replacement string (e.g. {1} or {host})',
  type: 'template',
  build: (z) => z.string().refine((v) => isKeyTemplate(v)),
};

/** `dedupe`: true (the whole run), false, or a window. */
export const dedupe: Kind = {
  expected: 'must be true, false or a duration (e.g. 10m)',
  type: 'boolean | duration',
  build: (z) => z.union([z.boolean(), z.number().min(0), z.string().regex(DURATION)]),
};

/** Environment variable names: one, or a list. */
export const names: Kind = {
  expected: 'must be an environment variable name or a list of them',
  item: 'must be an environment variable name',
  type: 'string | string[]',
  build: (z) => {
    const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
    return z.union([name, z.array(name).min(1)]);
  },
};

/** `retry.delay`: a duration, or a backoff range MIN..MAX (doubling, with jitter). */
export const retryDelay: Kind = {
  expected: 'must be a duration (e.g. 2s) or a range MIN..MAX (e.g. 1s..30s)',
  type: 'duration | MIN..MAX',
  build: (z) =>
    z.union([z.number().min(0), z.string()]).refine((v) => parses(() => parseRetryDelay(String(v)))),
  fromFlag: numeric,
};

/** `retry.on`: exit codes, signal names and `timeout`, as a list or a comma list. */
export const retryOn: Kind = {
  expected: 'must be exit codes (1-255), signal names (KILL) or timeout, as a list or comma list',
  item: 'must be an exit code, a signal name or timeout',
  type: '(integer | string)[] | string',
  build: (z) =>
    z
      .union([z.string(), z.int(), z.array(z.union([z.string(), z.int()])).min(1)])
      .refine((v) => parses(() => parseRetryOn(Array.isArray(v) ? v.join(',') : String(v)))),
  fromFlag: (t) => t.split(',').map((x) => numeric(x.trim())),
};

/** GNU's --termseq: signal,ms pairs. */
export const termseq: Kind = {
  expected: 'must be a termination sequence (e.g. TERM,200,TERM,100,KILL,25)',
  type: 'string',
  build: (z) => z.string().refine((v) => parses(() => parseTermseq(v))),
};

/** A niceness: -20 (highest priority) to 19. */
export const niceness: Kind = {
  expected: 'must be a whole number from -20 to 19',
  type: 'integer -20..19',
  build: (z) => z.int().min(-20).max(19),
  fromFlag: numeric,
};

/** A Redis URL: redis://[user:password@]host:port[/db], or rediss:// for TLS. */
export const redisUrl: Kind = {
  expected: 'must be a Redis URL: redis://[user:password@]host:port[/db] (rediss:// for TLS)',
  type: 'redis:// URL',
  build: (z) => z.string().refine((v) => parses(() => parseQueueUrl(v))),
};

/** A run id: it names Redis keys. */
export const runId: Kind = {
  expected: "must be 1-64 letters, digits, '_', '.' or '-'",
  type: 'string',
  build: (z) => z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
};
