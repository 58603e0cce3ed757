import { existsSync } from 'node:fs';
import { FastExecutor } from '../exec/fast.js';
import { LocalExecutor } from '../exec/local.js';
import type { Executor } from '../exec/types.js';
import { defaultShell } from '../spec/defaults.js';
import { canonical, SECRET_VAR } from './sign.js';

/**
 * A worker's job slots, shared by every run it serves: --concurrency jobs at once in all. Each
 * running job holds a distinct slot, which is also what keys the slot shells (one job each).
 */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: ((slot: number) => void)[] = [];

  constructor(size: number) {
    this.free = Array.from({ length: size }, (_, i) => size - i);
  }

  /** The lowest free slot, once there is one. */
  take(): Promise<number> {
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else {
      this.free.push(slot);
      this.free.sort((a, b) => b - a);
    }
  }
}

/**
 * The local executors a worker runs jobs through, one per run (and shell and env): the same
 * ones local mode uses — slot shells, or one spawn per job with WEFT_DISPATCH=spawn.
 */
export class ExecutorPool {
  private readonly byKey = new Map<string, { run: string; executor: Executor }>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** The executor for a run's jobs with this shell and env. */
  get(run: string, shell: string, env: Record<string, string>): Executor {
    // The producer's shell when this machine has it; a Bourne shell either way.
    const sh = shell.startsWith('/') && existsSync(shell) ? shell : defaultShell(this.env);
    const key = `${run}\0${sh}\0${canonical(env)}`;
    let entry = this.byKey.get(key);
    if (!entry) {
      const base = { ...(this.env as Record<string, string>), ...env };
      // A job must not learn the secret that signs jobs (it could forge some).
      delete base[SECRET_VAR];
      const executor =
        this.env.WEFT_DISPATCH === 'spawn' ? new LocalExecutor(sh, base) : new FastExecutor(sh, base);
      entry = { run, executor };
      this.byKey.set(key, entry);
    }
    return entry.executor;
  }

  /** Closes a run's executors (its slot shells), or every executor. */
  async close(run?: string): Promise<void> {
    for (const [key, entry] of this.byKey) {
      if (run !== undefined && entry.run !== run) continue;
      this.byKey.delete(key);
      await entry.executor.close?.();
    }
  }
}
