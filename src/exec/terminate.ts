import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WeftError } from '../errors.js';
import type { TermStep } from '../spec/types.js';

export type { TermStep };

/** GNU parallel's default --termseq: TERM,200,TERM,100,TERM,50,KILL,25. */
export const DEFAULT_TERMSEQ: readonly TermStep[] = [
  { signal: 'SIGTERM', ms: 200 },
  { signal: 'SIGTERM', ms: 100 },
  { signal: 'SIGTERM', ms: 50 },
  { signal: 'SIGKILL', ms: 25 },
];

const SIGNALS = constants.signals as Record<string, number>;

/** The name of signal `text` (`TERM`, `SIGTERM`, `15`), or undefined when there is none. */
export function signalName(text: string): NodeJS.Signals | undefined {
  const t = text.trim().toUpperCase();
  if (/^\d+$/.test(t)) return Object.keys(SIGNALS).find((k) => SIGNALS[k] === Number(t)) as NodeJS.Signals;
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return name in SIGNALS ? (name as NodeJS.Signals) : undefined;
}

/** The number of a signal name. */
export const signalNumber = (name: NodeJS.Signals | null | undefined): number =>
  name ? (SIGNALS[name] ?? 0) : 0;

/**
 * Parses GNU's `--termseq`: signal,ms pairs (`TERM,200,TERM,100,TERM,50,KILL,25`); a last
 * signal without a wait gets 25 ms. Signals by name (with or without SIG) or number.
 */
export function parseTermseq(text: string): TermStep[] {
  const parts = text.split(',').map((s) => s.trim());
  const bad = (why: string) =>
    new WeftError('E_OPTION', `--termseq: '${text}' ${why} (e.g. TERM,200,KILL,25)`);
  if (parts.length === 0 || parts[0] === '') throw bad('is empty');
  const steps: TermStep[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const signal = signalName(parts[i]);
    if (!signal) throw bad(`has no signal '${parts[i]}'`);
    const wait = parts[i + 1] ?? '25';
    if (!/^\d+$/.test(wait)) throw bad(`has '${wait}' where a wait in milliseconds belongs`);
    steps.push({ signal, ms: Number(wait) });
  }
  return steps;
}

/** Sends `sig` to the process group `pgid`; a group that is gone is fine. */
export function killGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether any process of group `pgid` still runs. A zombie does not count: where nothing
 * reaps orphans (PID 1 of some containers), a dead grandchild would otherwise keep its
 * group "alive" forever.
 */
export function groupAlive(pgid: number): boolean {
  if (!killGroup(pgid, 0)) return false;
  // The leader (pid = pgid) still running answers at once; only without it scan /proc.
  const leader = processState(String(pgid));
  if (leader && leader.pgrp === pgid && leader.state !== 'Z' && leader.state !== 'X') return true;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return true; // no /proc: kill(0) is all there is
  }
  for (const pid of pids) {
    const p = processState(pid);
    if (p && p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X') return true;
  }
  return false;
}

/** State letter and process group of a process, from /proc; undefined when it is gone. */
function processState(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], pgrp: Number(f[2]) };
  } catch {
    return undefined; // ended while we looked, or no /proc
  }
}

/**
 * Ends process group `pgid` as GNU's --termseq does: each signal, then a wait that stops
 * early once the group is gone. A sequence that does not end in KILL gets one, so nothing
 * of a killed job outlives weft. Resolves when the group is gone or the KILL was sent.
 */
export async function terminateGroup(
  pgid: number,
  seq: readonly TermStep[] = DEFAULT_TERMSEQ,
): Promise<void> {
  for (const step of seq) {
    if (!killGroup(pgid, step.signal)) return;
    // Checks soon after the signal, then less often (a check may scan /proc).
    for (let wait = 5, end = Date.now() + step.ms; Date.now() < end; wait = Math.min(40, wait * 2)) {
      await sleep(Math.min(wait, Math.max(1, end - Date.now())));
      if (!groupAlive(pgid)) return;
    }
  }
  if (seq.at(-1)?.signal !== 'SIGKILL' || groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
}
