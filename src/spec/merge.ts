import type { CliOptions } from '../cli/to-spec.js';
import { FIELDS, FIELD_LIST, liftFlag, type Field, type FieldPath } from './fields.js';

/** A spec document: sections of fields, as YAML holds them. */
export type SpecDoc = Record<string, unknown>;

/** The words that start input sources on a command line (`:::`, `::::`, and their `+` forms). */
export function separators(o: CliOptions): Set<string> {
  const arg = o.argSep ?? ':::';
  const file = o.argFileSep ?? '::::';
  return new Set([arg, arg + '+', file, file + '+']);
}

const isMapping = (v: unknown): v is SpecDoc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a path of a document, or undefined. */
export function getPath(doc: unknown, path: readonly PropertyKey[]): unknown {
  let node = doc;
  for (const seg of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[seg];
  }
  return node;
}

/** Sets a field's value, creating its section; a section that is not a mapping is left to the schema. */
function setField(doc: SpecDoc, path: FieldPath, value: unknown): void {
  const [section, name] = path.split('.');
  if (name === undefined) doc[section] = value;
  else if (doc[section] === undefined) doc[section] = { [name]: value };
  else if (isMapping(doc[section])) doc[section][name] = value;
}

/** The result of laying the command line over a spec document. */
export interface Merged {
  doc: SpecDoc;
  /** Fields the command line set, with the flag that set each. */
  fromFlags: Map<FieldPath, string>;
  /** The command line's input-source words (`::: a b`), used as given. */
  sourceWords: string[];
}

/** `:::` groups as input.values, or undefined when the words hold `::::` files or linked sources. */
function liftValues(words: string[], o: CliOptions): unknown {
  const arg = o.argSep ?? ':::';
  const seps = separators(o);
  const groups: string[][] = [];
  for (const w of words) {
    if (w === arg) groups.push([]);
    else if (seps.has(w)) return undefined;
    else groups[groups.length - 1].push(w);
  }
  return groups.length === 1 ? groups[0] : groups;
}

/**
 * Lays the flags over the spec, field by field: a flag the command line gives replaces the
 * spec's value, everything else comes from the spec. Command words replace `command`; input
 * sources on the command line (`-a`, `:::`, `::::`) replace all of the spec's input.path,
 * input.stdin and input.values.
 */
export function mergeFlags(data: SpecDoc, cli: CliOptions, words: string[]): Merged {
  const o: CliOptions = { ...cli, lineBuffer: cli.lineBuffer || cli.lb, pipe: cli.pipe || cli.spreadstdin };
  const doc = structuredClone(data);
  const fromFlags = new Map<FieldPath, string>();
  const seps = separators(o);
  const first = words.findIndex((w) => seps.has(w));
  const commandWords = first < 0 ? words : words.slice(0, first);
  const sourceWords = first < 0 ? [] : words.slice(first);
  if ((o.argFile?.length || sourceWords.length) && isMapping(doc.input)) {
    for (const name of ['path', 'stdin', 'values']) delete doc.input[name];
  }
  for (const [path, field] of FIELD_LIST) {
    const value = liftFlag(field, o);
    if (value === undefined) continue;
    setField(doc, path, value);
    fromFlags.set(path, field.flag ?? path);
  }
  if (commandWords.length) {
    setField(doc, 'command', commandWords.length === 1 ? commandWords[0] : commandWords);
    fromFlags.set('command', 'the command');
  }
  const values = sourceWords.length ? liftValues(sourceWords, o) : undefined;
  if (values !== undefined) {
    setField(doc, 'input.values', values);
    fromFlags.set('input.values', words[first]);
  }
  return { doc, fromFlags, sourceWords };
}

/** The document in table order with only the fields that are set: what --print-spec shows. */
export function tidy(doc: SpecDoc): SpecDoc {
  const out: SpecDoc = {};
  for (const [path] of FIELD_LIST) {
    const value = getPath(doc, path.split('.'));
    if (value !== undefined) setField(out, path, value);
  }
  return out;
}

/** The field an issue path lands in, and the rest of the path inside the field's value. */
export function fieldAt(
  path: readonly PropertyKey[],
): { path: FieldPath; field: Field; rest: PropertyKey[] } | undefined {
  const fields = FIELDS as Record<string, Field>;
  const one = String(path[0]);
  if (fields[one]) return { path: one as FieldPath, field: fields[one], rest: path.slice(1) };
  const two = `${one}.${String(path[1])}`;
  if (path.length >= 2 && fields[two])
    return { path: two as FieldPath, field: fields[two], rest: path.slice(2) };
  return undefined;
}
