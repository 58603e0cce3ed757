// What a person sees: weft in a real terminal (tmux), its bar on stderr next to job output.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// A server of our own (-L), without the user's configuration (-f /dev/null).
const SOCKET = `weft-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });

let session: string | undefined;
afterEach(() => {
  if (session === undefined) return;
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
  session = undefined;
});
// The server exits with its last session; its socket file stays behind.
afterAll(() => {
  const dir = process.env.TMUX_TMPDIR ?? '/tmp';
  rmSync(join(dir, `tmux-${process.getuid?.() ?? 0}`, SOCKET), { force: true });
});

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Starts `weft args` in a fresh 120×30 tmux session; the pane stays open after weft exits
 * and shows `WEFT-EXIT=<status>`. CI and colour variables are cleared so colour follows the
 * terminal alone (plus `env`).
 */
function start(args: string[], env: Record<string, string> = {}): void {
  session = `weft-test-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  const assigns = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
  const cmd =
    `cd ${quote(ROOT)} && unset CI NO_COLOR FORCE_COLOR; ` +
    `env ${assigns.join(' ')} ${quote(process.execPath)} bin/weft.js ${args.map(quote).join(' ')}; ` +
    `echo WEFT-EXIT=$?; exec sleep 600`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '30', cmd);
}

/** The visible pane, one string per line (`-e`: with colour escapes). */
const pane = (escapes = false): string[] =>
  tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session!)
    .split('\n')
    .map((l) => l.trimEnd());

/** Polls the pane (with escapes: `escapes`) until `found` returns something, or fails after `ms`. */
async function waitFor<T>(
  what: string,
  found: (lines: string[]) => T | undefined,
  ms: number,
  escapes = false,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const last = pane(escapes);
    const hit = found(last);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; the pane:\n${last.join('\n')}`);
    await sleep(150);
  }
}

/** An SGR (colour) escape sequence. */
const SGR = new RegExp(String.raw`\x1b\[[\d;]*m`);

const BAR = /^\[\S+\] (\d+)% (\d+)\/(\d+) \| ETA (\S+) \| ([\d.]+) jobs\/s \| running (\d+) \| failed (\d+)$/;

describe.skipIf(!hasTmux)('in a real terminal (tmux)', () => {
  it('--bar: a bar with done/total, percent and ETA, redrawn in place, left at 100%', async () => {
    start(['--bar', '-j2', 'sleep 0.3; : {}', ':::', ...Array.from({ length: 20 }, (_, i) => String(i + 1))]);

    // Mid-run: a bar a person can read, with a real ETA once a job has finished.
    const mid = await waitFor(
      'bar with an ETA',
      (ls) =>
        ls.map((l) => BAR.exec(l)).find((m) => m && m[4] !== '?' && Number(m[2]) > 0 && Number(m[2]) < 20),
      30_000,
    );
    const [, pct, done, total, eta] = mid!;
    expect(total).toBe('20');
    expect(Number(pct)).toBe(Math.floor((Number(done) * 100) / 20));
    expect(eta).toMatch(/^(\d+s|\d+m\d\ds)$/);

    // With colour: the pane holds SGR escapes on the bar line.
    const coloured = await waitFor('bar', (ls) => ls.find((l) => /\d+\/20 \|/.test(l)), 30_000, true);
    expect(coloured).toMatch(SGR);

    // The end: the bar at 100% on its own line, just above the shell's next line.
    const final = await waitFor(
      'exit',
      (ls) => (ls.some((l) => l.startsWith('WEFT-EXIT=')) ? ls : undefined),
      90_000,
    );
    const text = final.filter((l) => l !== '');
    expect(text.at(-1)).toBe('WEFT-EXIT=0');
    expect(text.at(-2)).toMatch(BAR);
    expect(BAR.exec(text.at(-2)!)!.slice(1)).toEqual(['100', '20', '20', '0s', expect.any(String), '0', '0']);
    // Redrawn in place: one bar line, not one per frame.
    expect(text.filter((l) => BAR.test(l))).toHaveLength(1);
  });

  it('without --bar: job output stays intact around the bar, which is gone at the end; NO_COLOR', async () => {
    const n = 12;
    start(['-j2', 'sleep 0.5; echo line-{}', ':::', ...Array.from({ length: n }, (_, i) => String(i + 1))], {
      NO_COLOR: '1',
    });

    // On a terminal the bar shows up by itself (after a second), below the output so far.
    const bar = await waitFor('automatic bar', (ls) => ls.find((l) => /\d+\/12 \|/.test(l)), 30_000, true);
    expect(bar).not.toMatch(SGR); // NO_COLOR
    expect(bar).toMatch(BAR);

    const final = await waitFor(
      'exit',
      (ls) => (ls.some((l) => l.startsWith('WEFT-EXIT=')) ? ls : undefined),
      90_000,
    );
    const text = final.filter((l) => l !== '');
    expect(text.at(-1)).toBe('WEFT-EXIT=0');
    // Every output line whole, each once; no bar left behind.
    const out = text.slice(0, -1);
    expect(out.every((l) => /^line-\d+$/.test(l))).toBe(true);
    expect(out.map((l) => Number(l.slice(5))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
  });
});
