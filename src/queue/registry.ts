import { crypto } from '../builtins.js';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { WeftError } from '../errors.js';
import { lockKey, RUNS_CHANNEL, RUNS_KEY } from './connect.js';

/** A producer's lock on its run lives this long without a heartbeat (a SIGKILLed producer's lapses). */
export const LOCK_TTL_MS = 6000;
/** How often a producer renews its lock and its run's heartbeat. */
export const HEARTBEAT_MS = 2000;

const REFRESH = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
const TAKE_OVER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return false`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * The producer's hold on a run: a lock (one producer per run at a time) and the run's entry in
 * the registry the workers read, both kept fresh by a heartbeat until released.
 */
export class RunHold {
  readonly owner = `${hostname()}:${process.pid}:${crypto().randomBytes(4).toString('hex')}`;
  private timer?: NodeJS.Timeout;
  private lost = false;

  constructor(
    private readonly client: Redis,
    readonly runId: string,
    private readonly warn: (line: string) => void,
  ) {}

  /**
   * Takes the run's lock. A lock still held by a producer that was killed lapses within
   * LOCK_TTL_MS, so this waits that long before deciding the holder is alive.
   */
  async acquire(): Promise<void> {
    const key = lockKey(this.runId);
    const deadline = Date.now() + LOCK_TTL_MS + 2000;
    let told = false;
    for (;;) {
      if ((await this.client.set(key, this.owner, 'PX', LOCK_TTL_MS, 'NX')) === 'OK') return;
      const holder = (await this.client.get(key)) ?? 'another producer';
      const who = holder.split(':').slice(0, 2).join(':');
      // A producer of this machine that is gone (killed) needs no waiting for.
      if (deadHere(holder) && (await this.client.eval(TAKE_OVER, 1, key, holder, this.owner, LOCK_TTL_MS)))
        return;
      if (Date.now() > deadline) {
        throw new WeftError(
          'E_QUEUE',
          `run ${this.runId} is in use by a live producer (${who}); wait for it to end, or give this run another --run-id`,
        );
      }
      if (!told) this.warn(`weft: run ${this.runId} is held by ${who}; waiting for it to let go`);
      told = true;
      await sleep(250);
    }
  }

  /** Lists the run for the workers (and wakes idle ones), then keeps lock and listing fresh. */
  async register(): Promise<void> {
    await this.client.zadd(RUNS_KEY, Date.now(), this.runId);
    await this.client.publish(RUNS_CHANNEL, this.runId);
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const ok = await this.client.eval(REFRESH, 1, lockKey(this.runId), this.owner, LOCK_TTL_MS);
      await this.client.zadd(RUNS_KEY, 'XX', Date.now(), this.runId);
      if (!ok && !this.lost) {
        this.lost = true;
        this.warn(`weft: lost the lock on run ${this.runId} (another producer may have attached to it)`);
      }
    } catch {
      // Redis is reconnecting; the next beat tries again.
    }
  }

  /** Stops the heartbeat; with `unlist`, also removes the run from the registry (it is finished). */
  async release(unlist: boolean): Promise<void> {
    clearInterval(this.timer);
    if (unlist) {
      await this.client.zrem(RUNS_KEY, this.runId);
      // Workers let go of the run now rather than at their next poll.
      await this.client.publish(RUNS_CHANNEL, this.runId);
    }
    await this.client.eval(RELEASE, 1, lockKey(this.runId), this.owner);
  }
}

/** True when a lock holder (host:pid:nonce) is a process of this machine that no longer exists. */
function deadHere(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
