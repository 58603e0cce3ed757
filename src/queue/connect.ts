import { createRequire } from 'node:module';
import type { RedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { WeftError } from '../errors.js';
import type { QueueLocation } from './url.js';

/** The Redis key prefix of everything weft keeps: BullMQ's queues (`weft:run-ID:…`) and its own keys. */
export const PREFIX = 'weft';
/** A sorted set of the runs on this Redis: member run id, score the producer's last heartbeat (ms). */
export const RUNS_KEY = `${PREFIX}:runs`;
/** Published to when a run is registered, so idle workers start on it at once. */
export const RUNS_CHANNEL = `${PREFIX}:runs:new`;
/** The BullMQ queue of a run. */
export const queueName = (runId: string): string => `run-${runId}`;
/** Held by the producer attached to a run (value host:pid), refreshed while it lives. */
export const lockKey = (runId: string): string => `${PREFIX}:lock:${runId}`;

/**
 * bullmq and ioredis load only in queue and worker mode: plain runs start as fast as before.
 * Both are CommonJS; `require` loads them without the ESM import's scan of their sources for
 * export names (about 0.2 s of CPU at every producer start).
 */
const requireCjs = createRequire(import.meta.url);

/** BullMQ, loaded on first use. */
export async function loadBullmq(): Promise<typeof import('bullmq')> {
  return requireCjs('bullmq') as typeof import('bullmq');
}

/** ioredis options for a location; BullMQ gets the same (it makes its own connections from them). */
export function redisOptions(loc: QueueLocation): RedisOptions {
  return {
    host: loc.host,
    port: loc.port,
    db: loc.db,
    username: loc.username,
    password: loc.password,
    // An empty options object: TLS with the system's CAs and the host name checked.
    tls: loc.tls ? {} : undefined,
    // BullMQ's blocking connections require it; for ours it means "wait out a reconnect".
    maxRetriesPerRequest: null,
    connectionName: 'weft',
    // RESP2, the protocol BullMQ's scripts are written against (and all that Redis 5 speaks).
    protocol: 2,
  };
}

/** How long the first connection may take before weft gives up with an error. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A connected Redis client for weft's own keys; a server that cannot be reached is a WeftError. */
export async function connectControl(loc: QueueLocation): Promise<Redis> {
  const { Redis } = requireCjs('ioredis') as typeof import('ioredis');
  const client = new Redis({
    ...redisOptions(loc),
    lazyConnect: true,
    // The first connection fails fast with a message; later drops reconnect (ioredis' default).
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    const why = (lastError ?? (err as Error))?.message ?? String(err);
    throw new WeftError('E_QUEUE', `cannot reach ${loc.display}: ${why}`, { cause: err });
  }
  return client;
}
