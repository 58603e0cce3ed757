import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeftError } from '../../errors.js';

/**
 * Named pipes made ahead, a batch per `mkfifo` (one spawn for many chunks), in a folder
 * private to the run. Each is opened once and unlinked at once, so nothing else can open it
 * later; the folder goes when the pool is disposed, or when the process exits.
 */
export class FifoPool {
  private dir?: string;
  private free: string[] = [];
  private made = 0;
  private filling?: Promise<void>;
  private readonly onExit = () => this.dispose();

  constructor(private readonly batch = 8) {}

  /** A fresh named pipe's path. */
  async take(): Promise<string> {
    while (!this.free.length) await (this.filling ??= this.fill().finally(() => (this.filling = undefined)));
    // Make the next batch while this one is used.
    if (this.free.length === 1) void (this.filling ??= this.fill().finally(() => (this.filling = undefined)));
    return this.free.shift()!;
  }

  private async fill(): Promise<void> {
    if (!this.dir) {
      this.dir = mkdtempSync(join(tmpdir(), 'weft-relay-'));
      process.once('exit', this.onExit);
    }
    const names = Array.from({ length: this.batch }, () => join(this.dir!, String(++this.made)));
    await new Promise<void>((resolve, reject) =>
      execFile('mkfifo', ['-m', '600', ...names], (err, _out, stderr) =>
        err
          ? reject(
              new WeftError(
                'E_READ',
                `cannot make named pipes in ${this.dir}: ${stderr.trim() || err.message}`,
              ),
            )
          : resolve(),
      ),
    );
    this.free.push(...names);
  }

  dispose(): void {
    process.off('exit', this.onExit);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.free = [];
  }
}
