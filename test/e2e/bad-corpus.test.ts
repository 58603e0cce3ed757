/**
 * The bad-input corpus (fixtures/bad/cases.json, docs/reliability.md "Bad input"): every case
 * but the heavy ones (test/slow/bad-corpus-heavy.test.ts) through bin/weft.js.
 */
import { describe, expect, it } from 'vitest';
import { CASES, checkCase, useCorpusInputs } from './bad-corpus.js';

useCorpusInputs();

describe('the corpus', () => {
  it('has at least 50 cases, each with a unique name and a class', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    for (const c of CASES) expect(c.class, c.name).toBeTruthy();
  });
});

describe.concurrent('bad input: a located one-line error, exit 255, or the documented result', () => {
  const light = CASES.filter((c) => !c.heavy);
  it.each(light.map((c) => [c.name, c] as const))('%s', { timeout: 120_000 }, (_name, c) => checkCase(c));
});
