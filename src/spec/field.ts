import type { CliOptions } from '../cli/to-spec.js';
import * as k from './kinds.js';
import type { Kind } from './kinds.js';

/** A key of the options commander hands over. */
export type CliKey = keyof CliOptions;

/**
 * One field of a YAML job spec. Like vitest's cli-config table, every field names the flags it
 * sets, or says (`why`) why no flag does — test/unit/spec/drift.test.ts holds the two together.
 */
export interface Field {
  kind: Kind;
  /** The CliOptions keys this field sets; null when no flag does. */
  sets: readonly CliKey[] | null;
  /** With `sets: null`: how the field reaches the run instead. */
  why?: string;
  /** Accepted by the schema, refused by a run: no flag does this yet. */
  unsupported?: true;
  /** The flag as --help names it, for messages and docs. */
  flag?: string;
  doc: string;
  /** The default, as docs/spec.md shows it. */
  default?: string;
  /** The CliOptions this field's value means; by default, the value (numbers as text) under `sets[0]`. */
  toCli?(value: unknown): Partial<CliOptions>;
  /** The value the given flags mean for this field, or undefined when they say nothing about it. */
  fromCli?(o: CliOptions): unknown;
}

/** A field backed by exactly one flag. */
export const flag = (key: CliKey, name: string, kind: Kind, doc: string, def?: string): Field => ({
  kind,
  sets: [key],
  flag: name,
  doc,
  default: def,
});

/** A field that maps words onto several flags (`order: keep` is `-k`). */
export const words = <T extends string>(
  keys: readonly CliKey[],
  name: string,
  table: Record<T, Partial<CliOptions>>,
  doc: string,
  def?: string,
): Field => ({
  kind: k.choice(Object.keys(table) as [T, ...T[]]),
  sets: keys,
  flag: name,
  doc,
  default: def,
  toCli: (v) => table[v as T] ?? {},
  fromCli: (o) =>
    (Object.keys(table) as T[]).find((w) =>
      Object.entries(table[w]).every(([key, val]) => val !== false && o[key as CliKey] === val),
    ),
});

/** Accepted by the schema so a spec can say it, refused at run time until a flag does it. */
export const notYet = (kind: Kind, doc: string): Field => ({
  kind,
  sets: null,
  unsupported: true,
  why: 'Not supported yet: accepted here, refused by a run until a flag does it.',
  doc,
});

/** Options that only make sense on a command line, each with the reason it has no spec field. */
export const CLI_ONLY: Partial<Record<CliKey | 'help', string>> = {
  help: 'prints help; not a job',
  version: 'prints the version; not a job',
  debug: 'a diagnostic of this invocation (stack traces)',
  status: 'inspects another run; not a job',
  spec: 'names the spec file itself',
  validate: 'checks a spec file without running it',
  printSpec: 'prints the effective spec without running it',
  argSep: 'only changes how the command line is read (a spec has input.values)',
  argFileSep: 'only changes how the command line is read (a spec has input.path)',
  lb: 'alias of --line-buffer (output.buffer: line)',
  spreadstdin: 'alias of --pipe (pipe.mode: pipe)',
  termSeq: 'alias of --termseq (termseq)',
  worker: 'starts a worker process that serves queues; not a job',
  concurrency: 'a --worker setting, not part of a job',
  allow: 'a --worker setting (what that machine agrees to run), not part of a job',
  stallTimeout: 'a --worker setting, not part of a job',
};

/** The value `field` holds when its flags say `o`, or undefined. */
export function liftFlag(field: Field, o: CliOptions): unknown {
  if (field.fromCli) return field.fromCli(o);
  if (!field.sets?.length) return undefined;
  const v = o[field.sets[0]];
  return typeof v === 'string' && field.kind.fromFlag ? field.kind.fromFlag(v) : v;
}

/** The CliOptions a field's (valid) value means. */
export function fieldToCli(field: Field, value: unknown): Partial<CliOptions> {
  if (field.toCli) return field.toCli(value);
  if (!field.sets?.length) return {};
  return { [field.sets[0]]: typeof value === 'number' ? String(value) : value } as Partial<CliOptions>;
}
