import { acquireGuard } from './guard.js';
import { LocalExecutor, type ExecOptions } from './local.js';
import { DRIVER_SHELL, SlotShell } from './slot-shell.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

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
    if (req.stdin.kind !== 'none' || !DRIVER_SHELL) return this.spawn.run(req);
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
