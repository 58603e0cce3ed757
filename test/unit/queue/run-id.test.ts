import { describe, expect, it } from 'vitest';
import { toSpec } from '../../../src/cli/to-spec.js';
import { deriveRunId } from '../../../src/queue/run-id.js';
import { parseQueueUrl } from '../../../src/queue/url.js';

const spec = (words: string[], extra = {}) => toSpec({ queue: 'redis://h:6379/0', ...extra }, words);
const loc = parseQueueUrl('redis://h:6379/0');

describe('run ids', () => {
  it('are the same for the same command line in the same place (so --resume finds the run)', () => {
    const a = deriveRunId(spec(['echo', ':::', 'a', 'b']), loc, '/data');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(deriveRunId(spec(['echo', ':::', 'a', 'b'], { resume: true }), loc, '/data')).toBe(a);
    // -j and the queue's options do not change which jobs a run has.
    expect(deriveRunId(spec(['echo', ':::', 'a', 'b'], { jobs: '8', maxPayload: '1M' }), loc, '/data')).toBe(
      a,
    );
  });

  it('differ with the command, the input, the directory or the database', () => {
    const a = deriveRunId(spec(['echo', ':::', 'a', 'b']), loc, '/data');
    expect(deriveRunId(spec(['echo', ':::', 'a', 'c']), loc, '/data')).not.toBe(a);
    expect(deriveRunId(spec(['printf', ':::', 'a', 'b']), loc, '/data')).not.toBe(a);
    expect(deriveRunId(spec(['echo', ':::', 'a', 'b']), loc, '/home')).not.toBe(a);
    expect(deriveRunId(spec(['echo', ':::', 'a', 'b']), parseQueueUrl('redis://h:6379/1'), '/data')).not.toBe(
      a,
    );
  });

  it('can be given with --run-id, which names Redis keys and so must be plain', () => {
    expect(deriveRunId(spec(['echo'], { runId: 'nightly-2024.06' }), loc, '/')).toBe('nightly-2024.06');
    expect(() => spec(['echo'], { runId: 'a b' })).toThrow("--run-id: 'a b' must be 1-64 letters");
  });
});

describe('queue flags', () => {
  it('--queue makes -j the number of jobs on the queue at once: 64 unless given', () => {
    expect(toSpec({ queue: 'redis://h' }, ['echo']).jobs).toBe(64);
    expect(toSpec({ queue: 'redis://h', jobs: '8' }, ['echo']).jobs).toBe(8);
    expect(toSpec({ queue: 'redis://h' }, ['echo']).queue).toEqual({
      url: 'redis://h',
      maxPayload: 16 * 1024 * 1024,
      runId: undefined,
    });
    expect(toSpec({ queue: 'redis://h', maxPayload: '64k' }, ['echo']).queue?.maxPayload).toBe(64000);
  });

  it('--resume needs no joblog with --queue; --resume-failed is refused there', () => {
    expect(toSpec({ queue: 'redis://h', resume: true }, ['echo']).resume).toBe('skip-done');
    expect(() => toSpec({ queue: 'redis://h', resumeFailed: true }, ['echo'])).toThrow(
      '--resume-failed is not supported with --queue',
    );
    expect(() => toSpec({ resume: true }, ['echo'])).toThrow('--resume needs --joblog FILE');
  });

  it('refuses the queue options without --queue, and a bad URL before reading any input', () => {
    expect(() => toSpec({ maxPayload: '1M' }, ['echo'])).toThrow(
      '--max-payload only applies with --queue URL',
    );
    expect(() => toSpec({ queue: 'redis://h:port' }, ['echo'])).toThrow(
      /--queue: 'redis:\/\/h:port' is not a URL/,
    );
  });
});
