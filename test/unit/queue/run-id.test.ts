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
