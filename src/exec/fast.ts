import { LocalExecutor } from './local.js';
import { DRIVER_SHELL, SlotShell } from './slot-shell.js';
import type { ExecRequest, ExecResult, Executor } from './types.js';

/**
 * The default executor: jobs without stdin go to their slot's persistent shell (cheap to
 * start), everything else (pipe mode chunks, a job with its own environment) to an
 * ordinary spawn.
 */
export class FastExecutor implements Executor {
  private readonly spawn: LocalExecutor;
  private readonly shells = new Map<number, SlotShell>();

  constructor(
    private readonly shell: string,
    private readonly env: Record<string, string>,
    private readonly cwd?: string,
  ) {
    this.spawn = new LocalExecutor(shell, env, cwd);
  }

  run(req: ExecRequest): Promise<ExecResult> {
    if (req.stdin.kind !== 'none' || req.env || !DRIVER_SHELL) return this.spawn.run(req);
    let sh = this.shells.get(req.slot);
    if (!sh || !sh.alive) {
      sh = new SlotShell(this.shell, this.env, this.cwd);
      this.shells.set(req.slot, sh);
    }
    return sh.run(req);
  }

  async close(): Promise<void> {
    for (const sh of this.shells.values()) sh.close();
    this.shells.clear();
  }
}
