/**
 * Waiting on input that does not come (a FIFO with no writer yet, a terminal) is a wait, not a
 * hang: a first SIGTERM ends it in every phase that reads input (docs/reliability.md "Bad input").
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, WEFT } from './helpers.js';

/** Starts weft on a FIFO nobody writes to, sends SIGTERM after a while, and returns how it ended. */
function termWhileWaiting(args: string[]): Promise<{ code: number | null; stdout: string; ms: number }> {
  const cwd = tempDir();
  spawnSync('mkfifo', [join(cwd, 'fifo')]);
  const child = spawn(process.execPath, [WEFT, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  // stdin stays open (never written, never closed), like a terminal nobody types into.
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  let sentAt = 0;
  const term = setTimeout(() => {
    sentAt = Date.now();
    child.kill('SIGTERM');
    // Late enough that node has started and set its handlers, also on a loaded machine.
  }, 4000);
  const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      child.stdin.destroy();
      resolve({ code, stdout, ms: Date.now() - sentAt });
    });
  });
}

const CASES: [string, string[]][] = [
  ['--spec FIFO (reading the spec)', ['--spec', 'fifo']],
  [':::: FIFO (waiting for the next argument)', ['echo', '::::', 'fifo']],
  ['--csv :::: FIFO (a CSV file is read whole first)', ['--csv', 'echo', '::::', 'fifo']],
  ['--shuf :::: FIFO (the input is read whole first)', ['--shuf', 'echo', '::::', 'fifo']],
  ['--format ndjson -a FIFO (waiting for the next chunk)', ['--format', 'ndjson', '-a', 'fifo', 'cat']],
  ['--dry-run :::: FIFO', ['--dry-run', 'echo', '::::', 'fifo']],
  ['arguments from a stdin that stays open', ['echo']],
];

describe.concurrent('a SIGTERM ends a wait on input', () => {
  it.each(CASES)('%s', { timeout: 60_000 }, async (_name, args) => {
    const r = await termWhileWaiting(args);
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('');
    // Well before the 20 s SIGKILL: the signal itself ended the wait.
    expect(r.ms).toBeLessThan(15_000);
  });
});
