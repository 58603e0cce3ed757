import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../../../src/errors.js';
import {
  DEFAULT_TERMSEQ,
  groupAlive,
  parseTermseq,
  signalName,
  terminateGroup,
} from '../../../src/exec/terminate.js';

describe('--termseq', () => {
  it("parses GNU's sequences; names with or without SIG, or numbers", () => {
    expect(parseTermseq('TERM,200,TERM,100,TERM,50,KILL,25')).toEqual(DEFAULT_TERMSEQ);
    expect(parseTermseq('sigint, 10, 9')).toEqual([
      { signal: 'SIGINT', ms: 10 },
      { signal: 'SIGKILL', ms: 25 },
    ]);
    expect(signalName('hup')).toBe('SIGHUP');
    expect(signalName('99')).toBeUndefined();
    for (const bad of ['', 'FOO,10', 'TERM,soon', 'TERM,-1'])
      expect(() => parseTermseq(bad), bad).toThrow(WeftError);
  });

  it('ends a group that ignores TERM with the KILL weft adds, soon after the sequence', async () => {
    const child = spawn('/bin/sh', ['-c', 'trap "" TERM; sleep 30 & wait'], {
      detached: true,
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await terminateGroup(child.pid!, [{ signal: 'SIGTERM', ms: 300 }]);
    const ms = Date.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(250);
    await new Promise((r) => setTimeout(r, 100));
    expect(groupAlive(child.pid!)).toBe(false);
  });

  it('stops waiting as soon as the group is gone', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await terminateGroup(child.pid!, [{ signal: 'SIGTERM', ms: 10_000 }]);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(groupAlive(child.pid!)).toBe(false);
  });
});
