import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPayload, contentHash, showBytes, stdinBytes } from '../../../src/queue/codec.js';
import { tempDir } from '../../e2e/helpers.js';

describe('payload codec', () => {
  it('reads a --pipepart range (with its header) into bytes, since a worker cannot see the file', async () => {
    const dir = tempDir();
    const file = join(dir, 'in.csv');
    writeFileSync(file, 'h\n1\n2\n3\n');
    const got = await stdinBytes({
      kind: 'range',
      range: { path: file, start: 4, end: 8, prefix: Buffer.from('h\n') },
    });
    expect(got?.toString()).toBe('h\n2\n3\n');
    expect(await stdinBytes({ kind: 'none' })).toBeUndefined();
    expect((await stdinBytes({ kind: 'buffer', data: Buffer.from('x') }))?.toString()).toBe('x');
  });

  it('refuses a chunk above --max-payload with an error that says so', () => {
    expect(() => checkPayload(3, 'wc -l', Buffer.alloc(2048), 1024)).toThrow(
      'job 3: its chunk is 2.0 KiB, above --max-payload 1.0 KiB; cut smaller chunks (--block, --records) or raise --max-payload',
    );
    expect(() => checkPayload(3, 'wc -l', Buffer.alloc(2048), 1024)).toThrow(
      expect.objectContaining({ code: 'E_PAYLOAD' }),
    );
    expect(() => checkPayload(1, 'x'.repeat(600), undefined, 512)).toThrow(/its command line is 600 B/);
    expect(() => checkPayload(1, 'wc', Buffer.alloc(1000), 1024)).not.toThrow();
  });

  it('tells jobs apart by command and stdin', () => {
    const a = contentHash('wc', Buffer.from('1\n'));
    expect(contentHash('wc', Buffer.from('1\n'))).toBe(a);
    expect(contentHash('wc', Buffer.from('2\n'))).not.toBe(a);
    expect(contentHash('wc -l', Buffer.from('1\n'))).not.toBe(a);
  });

  it('shows sizes in binary units', () => {
    expect([showBytes(512), showBytes(16 * 1024 * 1024), showBytes(1536)]).toEqual([
      '512 B',
      '16.0 MiB',
      '1.5 KiB',
    ]);
  });
});
