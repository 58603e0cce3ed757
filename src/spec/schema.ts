import type { ZodType } from 'zod';
import { FIELD_LIST, SECTIONS, type Field } from './fields.js';
import type { ZodApi } from './kinds.js';

/** How the docs and the JSON Schema describe a field: what it does and the flag it stands for. */
export function describeField(field: Field): string {
  const def = field.default === undefined ? '' : ` Default: ${field.default}.`;
  return field.flag ? `${field.doc}. Flag: ${field.flag}.${def}` : `${field.doc}. ${field.why}`;
}

/**
 * The one schema of a job spec, built from the field table: a strict object of sections, each a
 * strict object of fields, every field optional. Flags and YAML are both checked against it
 * (flags are lifted into the same shape first, see merge.ts).
 */
export function buildSchema(z: ZodApi): ZodType {
  // Top-level fields and sections keep the table's order (editors list them so).
  const top = new Map<string, ZodType | Record<string, ZodType>>();
  for (const [path, field] of FIELD_LIST) {
    const schema = field.kind
      .build(z)
      .meta({ description: describeField(field) })
      .optional();
    const [section, name] = path.split('.');
    if (name === undefined) top.set(section, schema);
    else if (!top.has(section)) top.set(section, { [name]: schema });
    else (top.get(section) as Record<string, ZodType>)[name] = schema;
  }
  const shape = Object.fromEntries(
    [...top].map(([key, value]) => [
      key,
      SECTIONS[key] === undefined
        ? (value as ZodType)
        : z
            .strictObject(value as Record<string, ZodType>)
            .meta({ description: SECTIONS[key] })
            .optional(),
    ]),
  );
  return z.strictObject(shape).meta({
    title: 'weft job spec',
    description:
      'A weft job as YAML: `weft --spec job.yaml [flags]` (docs/spec.md). Flags override the spec.',
  });
}

let cached: ZodType | undefined;

/** The schema, loading zod on first use (ordinary runs never do). */
export async function loadSchema(): Promise<ZodType> {
  if (!cached) {
    const { z } = await import('zod');
    cached = buildSchema(z);
  }
  return cached;
}
