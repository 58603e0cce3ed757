import type { WeftError } from '../errors.js';
import { CLI_ONLY, FIELD_LIST, SECTIONS, type FieldPath } from './fields.js';
import { fieldAt, getPath, type Merged } from './merge.js';
import { closest, problem, show } from './problems.js';
import { loadSchema } from './schema.js';
import type { SpecSource } from './yaml.js';

/** The parts of a zod issue this module reads. */
interface Issue {
  code: string;
  path: PropertyKey[];
  keys?: string[];
  errors?: Issue[][];
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Names a user might write for a field: its own name and its flags' long names (`keep-order`). */
function aliases(): Map<string, FieldPath> {
  const names = new Map<string, FieldPath>();
  for (const [path, field] of FIELD_LIST) {
    names.set(path.split('.').pop()!, path);
    for (const key of field.sets ?? []) if (!(key in CLI_ONLY)) names.set(kebab(key), path);
  }
  return names;
}

/** "did you mean …?" for an unknown key under `parent`: a sibling typo, or a field of another section. */
export function suggest(parent: readonly PropertyKey[], key: string): string | undefined {
  const prefix = parent.length ? `${parent.join('.')}.` : '';
  const siblings = FIELD_LIST.map(([p]) => p)
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length).split('.')[0]);
  if (!parent.length) siblings.push(...Object.keys(SECTIONS));
  const near = closest(key, new Set(siblings));
  if (near !== undefined) return prefix + near;
  const names = aliases();
  const exact = names.get(key) ?? names.get(kebab(key));
  return exact ?? names.get(closest(key, names.keys()) ?? '');
}

/** Replaces a union failure by the issues of the option whose outer type matched (list items…). */
function deepest(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union' || !issue.errors) return [issue];
  const inner = issue.errors.find((opt) => opt.length > 0 && opt.every((i) => i.path.length > 0));
  if (!inner) return [issue];
  return inner.flatMap((i) => deepest({ ...i, path: [...issue.path, ...i.path] }));
}

/** `chunk.records`, `command[2]`, `env.HOME`. */
const pathName = (path: readonly PropertyKey[]) =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');

/** One problem for one issue: its message, and its place in the spec file (none for a flag). */
function describeIssue(issue: Issue, merged: Merged, source?: SpecSource): WeftError[] {
  const at = (path: readonly PropertyKey[], key = false) => source?.at(path, key);
  if (issue.code === 'unrecognized_keys') {
    return (issue.keys ?? []).map((key) => {
      const hint = suggest(issue.path, key);
      const full = [...issue.path, key];
      return problem(
        `unknown field ${pathName(full)}${hint ? `; did you mean ${hint}?` : ''}`,
        at(full, true),
      );
    });
  }
  const value = getPath(merged.doc, issue.path);
  const found = fieldAt(issue.path);
  if (!found) {
    const section = String(issue.path[0]);
    const fields = FIELD_LIST.filter(([p]) => p.startsWith(section + '.')).map(([p]) => p.split('.')[1]);
    return [
      problem(
        `${section} must be a mapping of fields (${fields.join(', ')}), got ${show(value)}`,
        at(issue.path),
      ),
    ];
  }
  const { field, rest } = found;
  const flag = merged.fromFlags.get(found.path);
  const name = flag ?? pathName(issue.path);
  if (issue.code === 'invalid_key') {
    return [problem(`${name} is not a valid environment variable name`, at(issue.path, true))];
  }
  const expected = rest.length ? (field.kind.item ?? field.kind.expected) : field.kind.expected;
  return [problem(`${name} ${expected}, got ${show(value)}`, flag ? undefined : at(issue.path))];
}

/** Checks a merged document against the schema: every problem, each with its place. */
export async function checkDoc(merged: Merged, source?: SpecSource): Promise<WeftError[]> {
  const schema = await loadSchema();
  const result = schema.safeParse(merged.doc);
  if (result.success) return [];
  const all = (result.error.issues as Issue[])
    .flatMap(deepest)
    .flatMap((i) => describeIssue(i, merged, source));
  // A union and its refinement can both fail on one value: say it once.
  return all.filter((p, i) => all.findIndex((q) => q.describe() === p.describe()) === i);
}
