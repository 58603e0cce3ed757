import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELD_LIST } from '../../../src/spec/fields.js';
import { resolveText } from './helpers.js';

const doc = readFileSync(new URL('../../../docs/spec.md', import.meta.url), 'utf8');

describe('docs/spec.md', () => {
  it.each(FIELD_LIST)('has a reference row for %s with its flag', (path, field) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
    expect(row, `docs/spec.md lacks ${path}`).toBeDefined();
    for (const flag of field.flag?.split(' / ') ?? []) expect(row).toContain(`\`${flag}\``);
  });

  const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((y) => y.split('\n').some((l) => l.trim() && !l.startsWith('#')));

  it.each(examples.map((y, i) => [i, y]))('example %i is a valid spec', async (_, yaml) => {
    await expect(resolveText(yaml as string)).resolves.toBeDefined();
  });
});
