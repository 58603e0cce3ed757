/**
 * The heavy cases of the bad-input corpus (fixtures/bad/cases.json): a 100 MB single line in pipe
 * mode, format-aware chunks, --pipepart and as an argument; 100,000 and 200,000 arguments.
 */
import { describe, it } from 'vitest';
import { CASES, checkCase, useCorpusInputs } from '../e2e/bad-corpus.js';

useCorpusInputs({ big: true, many: true });

describe.concurrent('bad input, heavy cases', () => {
  const heavy = CASES.filter((c) => c.heavy);
  it.each(heavy.map((c) => [c.name, c] as const))('%s', { timeout: 300_000 }, (_name, c) => checkCase(c));
});
