import { toSpec, type CliOptions } from '../cli/to-spec.js';
import { WeftError } from '../errors.js';
import { FIELD_LIST, fieldToCli, type CliKey, type FieldPath } from './fields.js';
import { getPath, mergeFlags, separators, tidy, type Merged, type SpecDoc } from './merge.js';
import { byPosition, problem, show, SpecProblems } from './problems.js';
import type { JobSpec } from './types.js';
import { checkDoc } from './validate.js';
import type { SpecSource } from './yaml.js';

/** A spec file and the command line, resolved into what a run needs. */
export interface Resolved {
  spec: JobSpec;
  /** The merged options: toSpec read them, and the CLI's observers (--events, --bar) read them too. */
  opts: CliOptions;
  /** The effective spec, fields in table order (what --print-spec prints). */
  doc: SpecDoc;
  /** Accepted fields a run refuses (`not supported yet`), when `check` asked to only warn. */
  warnings: WeftError[];
}

/** Keys some field sets: their values come back from the merged document. */
const MANAGED = new Set<CliKey>(FIELD_LIST.flatMap(([, f]) => f.sets ?? []));

const wordsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];

/** The input.values groups as command-line words (`::: a b ::: c`). */
function valueWords(values: unknown, argSep: string): string[] {
  if (!Array.isArray(values)) return [];
  const groups = Array.isArray(values[0]) ? (values as unknown[][]) : [values];
  return groups.flatMap((g) => [argSep, ...g.map(String)]);
}

/** Problems that need more than one field's schema: separators among words, unsupported fields. */
function crossChecks(m: Merged, o: CliOptions, check: boolean, source?: SpecSource) {
  const errors: WeftError[] = [];
  const warnings: WeftError[] = [];
  const seps = separators(o);
  for (const path of ['command', 'input.values'] as const) {
    if (m.fromFlags.has(path)) continue;
    const value = getPath(m.doc, path.split('.'));
    const items = Array.isArray(value)
      ? value.flatMap((v, i) => (Array.isArray(v) ? v.map((w, j) => [[i, j], w]) : [[[i], v]]))
      : [];
    for (const [index, word] of items as [number[], unknown][]) {
      if (!seps.has(String(word))) continue;
      const name = path + index.map((i) => `[${i}]`).join('');
      const msg = `${name} is ${show(word)}, which the command line reads as an input separator; put such values in a file (input.path)`;
      errors.push(problem(msg, source?.at([...path.split('.'), ...index])));
    }
  }
  for (const [path, field] of FIELD_LIST) {
    if (!field.unsupported || getPath(m.doc, path.split('.')) === undefined) continue;
    const where = m.fromFlags.has(path) ? undefined : source?.at(path.split('.'));
    if (check) warnings.push(problem(`warning: ${path} is not supported yet; a run stops here`, where));
    else
      errors.push(problem(`${path} is not supported yet (no flag does this yet); remove it to run`, where));
  }
  // Both are the --key flag: a field of format records, or a job key template.
  if (
    getPath(m.doc, ['chunk', 'key']) !== undefined &&
    getPath(m.doc, ['concurrency', 'key']) !== undefined
  ) {
    const where = m.fromFlags.has('concurrency.key') ? undefined : source?.at(['concurrency', 'key']);
    errors.push(
      problem(
        'chunk.key and concurrency.key are both --key: give one (a record field, or a job key template)',
        where,
      ),
    );
  }
  return { errors, warnings };
}

/** A toSpec error about flags the spec set, placed at the first of them and naming the fields. */
function placeError(err: unknown, m: Merged, source?: SpecSource): unknown {
  if (!(err instanceof WeftError) || err.location || !source) return err;
  const named: [string, FieldPath][] = [];
  for (const token of err.message.match(/(?<![\w-])--?[A-Za-z][\w-]*/g) ?? []) {
    for (const [path, field] of FIELD_LIST) {
      if (m.fromFlags.has(path) || getPath(source.data, path.split('.')) === undefined) continue;
      const flags = (field.flag ?? '').split(' / ');
      const longs = (field.sets ?? []).map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
      if ((flags.includes(token) || longs.includes(token)) && !named.some(([t]) => t === token))
        named.push([token, path]);
    }
  }
  if (!named.length) return err;
  const note = named.map(([t, p]) => `${t} is ${p}`).join(', ');
  return new WeftError(err.code, `${err.message} (in the spec: ${note})`, {
    location: source.at(named[0][1].split('.')),
    cause: err,
  });
}

/**
 * Merges the command line over a spec (or over nothing, for `--print-spec` alone), validates the
 * result against the one schema — every problem at once, each at its place — and builds the
 * JobSpec with toSpec, as a run from flags would. With `check`, unsupported fields only warn.
 */
export async function resolveSpec(
  cli: CliOptions,
  words: string[],
  source: SpecSource | undefined,
  { check = false }: { check?: boolean } = {},
): Promise<Resolved> {
  const data = source ? source.data : {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const what =
      data === null ? 'the spec is empty' : `the spec must be a mapping of sections, got ${show(data)}`;
    throw new SpecProblems([
      problem(`${what} (see docs/spec.md: input and command are enough)`, source?.at([])),
    ]);
  }
  const merged = mergeFlags(data as SpecDoc, cli, words);
  const cross = crossChecks(merged, cli, check, source);
  const errors = [...(await checkDoc(merged, source)), ...cross.errors];
  if (errors.length) throw new SpecProblems(errors.sort(byPosition));

  const opts: CliOptions = {};
  for (const [key, value] of Object.entries(cli)) {
    if (!MANAGED.has(key as CliKey)) Object.assign(opts, { [key]: value });
  }
  for (const [path, field] of FIELD_LIST) {
    const value = getPath(merged.doc, path.split('.'));
    if (value === undefined || field.unsupported) continue;
    const part = fieldToCli(field, value);
    if (part.argFile && opts.argFile) part.argFile = [...opts.argFile, ...part.argFile];
    Object.assign(opts, part);
  }
  const sources = merged.sourceWords.length
    ? merged.sourceWords
    : valueWords(getPath(merged.doc, ['input', 'values']), cli.argSep ?? ':::');
  const runWords = [...wordsOf(merged.doc.command), ...sources];
  let spec: JobSpec;
  try {
    spec = toSpec(opts, runWords);
  } catch (err) {
    const placed = placeError(err, merged, source);
    // A check reports the warnings along with the error that stops it.
    throw cross.warnings.length && placed instanceof WeftError
      ? new SpecProblems([...cross.warnings, placed])
      : placed;
  }
  const env = Object.entries((merged.doc.env ?? {}) as Record<string, unknown>).map(([k, v]) => [
    k,
    String(v),
  ]);
  if (env.length) spec = Object.freeze({ ...spec, env: { ...spec.env, ...Object.fromEntries(env) } });
  return { spec, opts, doc: tidy(merged.doc), warnings: cross.warnings };
}
