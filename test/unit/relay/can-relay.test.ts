import { describe, expect, it } from 'vitest';
import { canRelay } from '../../../src/chunk/relay/index.js';
import { copierPerl } from '../../../src/chunk/relay/copier.js';
import { defaultSpec } from '../../../src/spec/defaults.js';
import type { JobSpec, PipeSpec } from '../../../src/spec/types.js';

const pipe: PipeSpec = { part: false, block: 1 << 20, recStart: '', recEnd: '\n', regexp: false };
const env = { PATH: process.env.PATH };
const spec = (over: Partial<JobSpec> = {}) => defaultSpec({ command: ['wc', '-l'], pipe, ...over });

describe('canRelay: which runs relay stdin to their jobs', () => {
  it('plain --pipe with 1M blocks or more (perl on PATH)', () => {
    expect(copierPerl(env)).toBeDefined();
    expect(canRelay(spec(), pipe, env)).toBe(true);
    expect(canRelay(spec(), { ...pipe, block: 20 << 20 }, env)).toBe(true);
    expect(canRelay(spec(), { ...pipe, block: 1000 }, { ...env, WEFT_PIPE_RELAY: 'on' })).toBe(true);
  });

  it('not below 1M, unless WEFT_PIPE_RELAY=on; never with WEFT_PIPE_RELAY=off', () => {
    expect(canRelay(spec(), { ...pipe, block: (1 << 20) - 1 }, env)).toBe(false);
    expect(canRelay(spec(), pipe, { ...env, WEFT_PIPE_RELAY: 'off' })).toBe(false);
  });

  it('not without perl', () => {
    expect(copierPerl({ PATH: '/nonexistent' })).toBeUndefined();
    expect(canRelay(spec(), pipe, { PATH: '/nonexistent' })).toBe(false);
  });

  const pipes: [string, Partial<PipeSpec>][] = [
    ['--pipepart', { part: true }],
    ['--round-robin', { roundRobin: true }],
    ['--cat', { deliver: 'file' }],
    ['--header', { header: { lines: 1 } }],
    ['--regexp', { regexp: true }],
    ['-L', { recordLines: 2 }],
    ['-N', { records: 10 }],
    ['--recstart', { recStart: '>' }],
    ['a two-byte --recend', { recEnd: '\r\n' }],
    ['--format', { formats: { format: 'csv' } as PipeSpec['formats'] }],
  ];
  it.each(pipes)('not with %s', (_name, over) => {
    expect(canRelay(spec(), { ...pipe, ...over }, env)).toBe(false);
  });

  const specs: [string, Partial<JobSpec>][] = [
    ['--retries 2', { retries: 2 }],
    ['--cache', { cache: { dir: '/tmp/x' } as JobSpec['cache'] }],
    ['--dedupe', { dedupe: {} }],
    ['--journal', { journal: 'j' }],
    ['--resume', { resume: 'skip-done' }],
    ['--js', { js: 'm.js' }],
    ['--queue', { queue: {} as JobSpec['queue'] }],
    ['--dry-run', { dryRun: true }],
    ['--order lpt', { order: { kind: 'lpt' } as JobSpec['order'] }],
    ['--rate', { rate: {} as JobSpec['rate'] }],
    ['--max-per-key', { perKey: {} as JobSpec['perKey'] }],
    ['--memfree', { memfree: 1 << 30 }],
  ];
  it.each(specs)('not with %s (jobs may start out of order, or read their chunk twice)', (_name, over) => {
    expect(canRelay(spec(over), pipe, env)).toBe(false);
  });
});
