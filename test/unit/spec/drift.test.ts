import type { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/program.js';
import { CLI_ONLY, FIELD_LIST } from '../../../src/spec/fields.js';

// vitest's cli-config trick: every flag is reachable from a YAML spec, or listed as CLI-only
// with a reason, so the spec and the flags cannot drift apart. A new flag fails here until
// src/spec/fields.ts says where it lives in a spec (and docs/spec.md, weft.schema.json follow).
const program = buildProgram();
const options: Option[] = [...program.options, ...program.createHelp().visibleOptions(program)];
const byKey = new Map(options.map((o) => [o.attributeName(), o]));
const reachable = new Set(FIELD_LIST.flatMap(([, f]) => f.sets ?? []));

describe('flags and spec fields', () => {
  it.each(options.map((o) => [o.long ?? o.short, o] as const))(
    '%s is reachable from a spec or CLI-only',
    (_, option) => {
      const key = option.attributeName();
      const cliOnly = key in CLI_ONLY;
      expect(reachable.has(key as never) || cliOnly, `${option.flags}: add it to src/spec/fields.ts`).toBe(
        true,
      );
      expect(reachable.has(key as never) && cliOnly, `${option.flags} is both a field and CLI-only`).toBe(
        false,
      );
    },
  );

  it('every CLI-only entry is a real option, with a reason', () => {
    for (const [key, why] of Object.entries(CLI_ONLY)) {
      expect(byKey.has(key), `CLI_ONLY.${key} is no option`).toBe(true);
      expect(why?.length).toBeGreaterThan(5);
    }
  });

  it.each(FIELD_LIST)('%s sets real options, or says why none', (path, field) => {
    if (field.sets === null) {
      expect(field.why, `${path} needs a reason`).toMatch(/\w{3}/);
      return;
    }
    expect(field.sets.length).toBeGreaterThan(0);
    for (const key of field.sets) expect(byKey.has(key), `${path} sets unknown option ${key}`).toBe(true);
    // The flag names the field shows in docs and messages are the program's own.
    for (const name of (field.flag ?? '').split(' / ')) {
      const word = name.split(' ')[0];
      expect(
        options.some((o) => o.long === word || o.short === word),
        `${path}: ${word} is not a flag`,
      ).toBe(true);
    }
  });

  it('unsupported fields are exactly the ones with no flag to set', () => {
    for (const [path, field] of FIELD_LIST) {
      if (field.unsupported) expect(field.sets, path).toBeNull();
    }
  });
});
