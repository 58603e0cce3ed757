import { loadSchema } from './schema.js';

/** Where the JSON Schema ships, relative to the package root. */
export const JSON_SCHEMA_PATH = 'docs/weft.schema.json';

/**
 * The JSON Schema of a job spec, generated from the zod schema, as docs/weft.schema.json ships
 * it for yaml-language-server (`# yaml-language-server: $schema=…` at the top of a job file).
 * test/unit/spec/json-schema.test.ts fails when the committed file is stale and rewrites it
 * with WEFT_UPDATE_SCHEMA=1.
 */
export async function jsonSchemaText(): Promise<string> {
  const { z } = await import('zod');
  const schema = z.toJSONSchema(await loadSchema(), {
    target: 'draft-07',
    io: 'input',
    // z.int() bounds itself to safe integers; editors need not show that.
    override: ({ jsonSchema: j }) => {
      if (j.maximum === Number.MAX_SAFE_INTEGER) delete j.maximum;
      if (j.minimum === Number.MIN_SAFE_INTEGER) delete j.minimum;
    },
  });
  return JSON.stringify(schema, null, 2) + '\n';
}
