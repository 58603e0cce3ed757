import { acquireGuard } from './guard.js';
import { LocalExecutor, type ExecOptions } from './local.js';
import { DRIVER_SHELL, SlotShell } from './slot-shell.js';
import { hasRawBytes } from '../raw-text.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

/**
 * The longest line a slot shell takes. Its `read` gets a pipe's bytes one system call each
 * (about 3 µs a byte), so past a few KiB a spawn of its own is quicker; and a line over Linux's
 * limit for one exec argument (128 KiB) then fails at once (E2BIG) instead of after a slow read.
 */
const MAX_SLOT_LINE = 16 * 1024;

/**
 * Jobs the slot shells do not take: a job with stdin; a long line (above); and a line with bytes
 * that are not UTF-8, which bash's `read` in a UTF-8 locale can merge with the NUL after them.
 */
function needsSpawn(req: ExecRequest): boolean {
  return (
    req.stdin.kind !== 'none' ||
    req.env !== undefined ||
    !DRIVER_SHELL ||
    req.command.length > MAX_SLOT_LINE ||
    hasRawBytes(req.command)
  );
}

/**
 * The default executor: jobs without stdin go to their slot's persistent shell (cheap to
 * start), everything else (pipe mode chunks, a job with its own environment) to an ordinary
 * spawn.
 */
export class FastExecutor implements Executor {
  private readonly spawn: LocalExecutor;
  private readonly shells = new Map<number, SlotShell>();
  private release?: () => void;

  constructor(
    private readonly shell: string,
    private readonly env: Record<string, string>,
    private readonly cwd?: string,
    private readonly opts: ExecOptions = {},
  ) {
    this.spawn = new LocalExecutor(shell, env, cwd, opts);
  }

  run(req: ExecRequest): Promise<ExecResult> {
    if (needsSpawn(req)) return this.spawn.run(req);
    let sh = this.shells.get(req.slot);
    if (!sh || !sh.alive) {
      sh = new SlotShell(this.shell, this.env, this.cwd, this.opts);
      this.shells.set(req.slot, sh);
    }
    const result = sh.run(req);
    // After the job is on its way, so the guard's start-up never delays the first job.
    if (this.opts.guard !== false) this.release ??= acquireGuard();
    return result;
  }

  async close(): Promise<void> {
    for (const sh of this.shells.values()) sh.close();
    this.shells.clear();
    await this.spawn.close();
    this.release?.();
    this.release = undefined;
  }
}
