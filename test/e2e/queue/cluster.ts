// A real redis-server on 127.0.0.1 (a free port, no persistence) and `weft --worker` processes,
// all started by pid and stopped by pid when the test file ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';
import { WEFT } from '../helpers.js';

/** The secret the tests' producers and workers share. */
export const SECRET = 'weft-test-secret-0123456789abcdef';

/** Where the Debian package puts the server; the tests need it (.ci/run installs it). */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) =>
  existsSync(p),
);

const started: ChildProcess[] = [];
afterAll(async () => {
  for (const p of started.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await new Promise((r) => p.once('exit', r));
    }
  }
});

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** True once the server answers PING (over TLS for a TLS-only server). */
function pings(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : connect(port, '127.0.0.1');
    s.once('error', () => resolve(false));
    s.once(tls ? 'secureConnect' : 'connect', () => s.write('PING\r\n'));
    s.once('data', (b) => {
      s.destroy();
      resolve(b.toString().startsWith('+PONG'));
    });
  });
}

/** A running redis-server. */
export interface RedisServer {
  port: number;
  /** redis://127.0.0.1:PORT/DB, or rediss://localhost:PORT/DB for a TLS server */
  url(db?: number): string;
  stop(): Promise<void>;
}

/** A server certificate (PEM files) for a TLS-only redis-server. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/**
 * Starts redis-server on a free port of 127.0.0.1, without saving anything to disk; with `tls`,
 * it speaks only TLS on that port and its URLs are rediss://localhost:PORT.
 */
export async function startRedis(tls?: TlsFiles): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error('redis-server is not installed (apt-get install redis-server)');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const listen = tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key]
      : ['--port', String(port)];
    const trust = tls ? ['--tls-ca-cert-file', tls.ca, '--tls-auth-clients', 'no'] : [];
    const proc = spawn(
      REDIS_SERVER,
      [...listen, ...trust, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    started.push(proc);
    for (let i = 0; i < 100 && proc.exitCode === null; i++) {
      if (await pings(port, !!tls)) {
        return {
          port,
          url: (db = 0) => (tls ? `rediss://localhost:${port}/${db}` : `redis://127.0.0.1:${port}/${db}`),
          stop: () => stop(proc),
        };
      }
      await sleep(50);
    }
    proc.kill('SIGKILL');
    // Someone took the port between our look and redis' bind: try another.
    if (attempt >= 3) throw new Error('redis-server did not start');
  }
}

async function stop(p: ChildProcess, sig: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  const done = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  p.kill(sig);
  return done;
}

/** A weft process started in the background (a worker, or a producer the test kills). */
export interface Proc {
  proc: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit status (null after a signal). */
  exited: Promise<number | null>;
  /** SIGTERM (or `sig`), then the exit status. */
  stop(sig?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `node bin/weft.js ...args` in the background with the test secret. */
export function spawnWeft(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Proc {
  const proc = spawn(process.execPath, [WEFT, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, WEFT_SECRET: SECRET, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    pid: proc.pid!,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: (sig) => stop(proc, sig),
  };
}

/** Waits until `cond()` holds (checked every 50 ms), or fails after `ms`. */
export async function until(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Starts `weft --worker URL ...args` and waits until it serves the queue. */
export async function startWorker(
  url: string,
  args: string[] = [],
  env?: Record<string, string>,
): Promise<Proc> {
  const w = spawnWeft(['--worker', url, ...args], { env });
  await until(() => w.stderr().includes(': serving ') || w.proc.exitCode !== null, 'the worker to start');
  if (w.proc.exitCode !== null) throw new Error(`the worker exited: ${w.stderr()}`);
  return w;
}
