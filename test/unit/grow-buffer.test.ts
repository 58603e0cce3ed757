import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/chunk/buffer-pool.js';
import { GrowBuffer } from '../../src/chunk/grow-buffer.js';

type Op = { kind: 'append'; data: string } | { kind: 'read'; data: string } | { kind: 'take'; n: number };

describe('GrowBuffer', () => {
  it('hands out exactly what went in, prefix first, whatever the mix of reads and cuts (property)', () => {
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), data: fc.string({ maxLength: 90 }) }),
      fc.record({ kind: fc.constant('read' as const), data: fc.string({ maxLength: 90 }) }),
      fc.record({ kind: fc.constant('take' as const), n: fc.nat(120) }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 5 }),
        fc.array(op, { maxLength: 60 }),
        fc.integer({ min: 1, max: 64 }),
        (prefix, ops, cap) => {
          const pool = new BufferPool(3);
          const g = new GrowBuffer(cap, pool);
          const taken: Buffer[] = [];
          const want: string[] = [];
          let model = '';
          g.setPrefix(Buffer.from(prefix, 'latin1'));
          for (const o of ops) {
            if (o.kind === 'append') {
              g.append(Buffer.from(o.data, 'latin1'));
              model += o.data;
            } else if (o.kind === 'read') {
              const room = g.space(o.data.length);
              expect(room.length).toBeGreaterThanOrEqual(o.data.length);
              room.write(o.data, 'latin1');
              g.commit(o.data.length);
              model += o.data;
            } else {
              const n = Math.min(o.n, model.length);
              taken.push(g.take(n));
              want.push(prefix + model.slice(0, n));
              model = model.slice(n);
            }
            expect(g.view().toString('latin1')).toBe(model);
          }
          // Chunks handed out earlier are never overwritten by later reads.
          expect(taken.map((b) => b.toString('latin1'))).toEqual(want);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a large chunk is a view of the buffer, not a copy; the pool gives it back for reuse', () => {
    const pool = new BufferPool(2);
    const g = new GrowBuffer(1000, pool);
    g.append(Buffer.alloc(900, 'a'));
    const chunk = g.take(800);
    expect(chunk.buffer.byteLength).toBe(1000);
    expect(g.view().toString()).toBe('a'.repeat(100));
    pool.put(chunk);
    expect(pool.get(1000).buffer).toBe(chunk.buffer);
  });

  it('the pool ignores small copies and buffers it did not hand out', () => {
    const pool = new BufferPool(2);
    const g = new GrowBuffer(1000, pool);
    g.append(Buffer.from('abc'));
    const small = g.take(2);
    pool.put(small);
    pool.put(Buffer.alloc(5000));
    expect(pool.get(1000).buffer).not.toBe(small.buffer);
  });
});
