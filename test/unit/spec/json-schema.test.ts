import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELD_LIST, SECTIONS } from '../../../src/spec/fields.js';
import { JSON_SCHEMA_PATH, jsonSchemaText } from '../../../src/spec/json-schema.js';
import { runMain } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url);
const SPECS = new URL('fixtures/specs/', ROOT);

describe('docs/weft.schema.json', () => {
  it('is generated from the zod schema and up to date', async () => {
    const fresh = await jsonSchemaText();
    const file = new URL(JSON_SCHEMA_PATH, ROOT);
    if (process.env.WEFT_UPDATE_SCHEMA) writeFileSync(file, fresh);
    const committed = readFileSync(file, 'utf8');
    expect(
      committed,
      'stale: run WEFT_UPDATE_SCHEMA=1 npx vitest run test/unit/spec/json-schema.test.ts',
    ).toBe(fresh);
  });

  it('describes every field, and forbids unknown ones', async () => {
    const schema = JSON.parse(await jsonSchemaText());
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    for (const [path] of FIELD_LIST) {
      const [a, b] = path.split('.');
      const node = b === undefined ? schema.properties[a] : schema.properties[a].properties[b];
      expect(node?.description, path).toBeTruthy();
      if (b !== undefined) expect(schema.properties[a].additionalProperties).toBe(false);
    }
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(Object.keys(SECTIONS)));
    expect(schema.required).toBeUndefined(); // input and command are enough, and even they may come as flags
  });
});

describe('fixtures/specs', () => {
  const files = readdirSync(SPECS).filter((f) => f.endsWith('.yaml'));

  it('has one spec for each kind of user', () => {
    expect(files.sort()).toEqual(['ci.yaml', 'cron-job.yaml', 'log-analysis.yaml', 'shell-pipeline.yaml']);
  });

  it.each(files)('%s points yaml-language-server at the schema, and validates', async (name) => {
    const text = readFileSync(new URL(name, SPECS), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../../docs/weft.schema.json');
    const path = new URL(name, SPECS).pathname;
    expect(await runMain(['--validate', path])).toEqual({ code: 0, stdout: `${path}: ok\n`, stderr: '' });
  });
});
