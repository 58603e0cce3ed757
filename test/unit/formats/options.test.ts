import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import type { ChunkOptions } from '../../../src/chunk/formats/index.js';
import { failure, opts } from './helpers.js';

describe('formatChunks options', () => {
  const bad: [string, Partial<ChunkOptions> & Pick<ChunkOptions, 'format'>, RegExp][] = [
    ['block', { format: 'lines', block: 0 }, /--block/],
    ['records', { format: 'lines', records: 0 }, /--records/],
    ['records not whole', { format: 'lines', records: 1.5 }, /--records/],
    ['window', { format: 'lines', windowMs: -1 }, /--window/],
    ['overlap', { format: 'lines', overlap: -1 }, /--overlap/],
    ['partitions', { format: 'csv', key: 'a', partitions: 0 }, /partitions/],
    ['emit on csv', { format: 'csv', emit: 'ndjson' }, /--emit/],
    ['empty key', { format: 'json', key: '' }, /--key/],
    ['format', { format: 'xml' as never }, /--format/],
  ];
  for (const [what, o, re] of bad) {
    it(`rejects a bad ${what}`, async () => {
      const err = await failure('x\n', opts(o));
      expect(err).toBeInstanceOf(WeftError);
      expect((err as WeftError).code).toBe('E_OPTION');
      expect((err as Error).message).toMatch(re);
    });
  }
});
