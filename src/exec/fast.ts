import { acquireGuard } from './guard.js';
import { LocalExecutor, type ExecOptions } from './local.js';
import { DRIVER_SHELL, SlotShell } from './slot-shell.js';
import { hasRawBytes } from '../raw-text.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

/** Linux's limit on one exec argument (MAX_ARG_STRLEN, with its NUL). */
const MAX_ARG_BYTES = 128 * 1024;

/**
 * Jobs the slot shells cannot take: a job with stdin; a line too long for `$SHELL -c`, which a
 * spawn fails at once (E2BIG) where a slot shell's `read` would take minutes to get megabytes in,
 * a byte at a time; and a line with bytes that are not UTF-8, which bash's `read` in a UTF-8
 * locale can merge with the NUL after them.
 */
function needsSpawn(req: ExecRequest): boolean {
  const line = req.command;
  return (
    req.stdin.kind !== 'none' ||
    !DRIVER_SHELL ||
    (line.length * 3 >= MAX_ARG_BYTES && Buffer.byteLength(line) >= MAX_ARG_BYTES) ||
    hasRawBytes(line)
  );
}

/**
 * The default executor: jobs without stdin go to their slot's persistent shell (cheap to
 * start), everything else (pipe mode chunks) to an ordinary spawn.
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
