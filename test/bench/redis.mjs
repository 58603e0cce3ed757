// A throwaway redis-server for the queue benchmark: 127.0.0.1, a free port, nothing saved to
// disk, stopped by pid. Plain Node, like the rest of the harness.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** The redis-server binary, or undefined when the machine has none. */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) =>
  existsSync(p),
);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function pings(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('error', () => resolve(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (b) => {
      s.destroy();
      resolve(b.toString().startsWith('+PONG'));
    });
  });
}

/** Starts redis-server; resolves to { port, url(db), stop() }. */
export async function startRedis() {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const proc = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && proc.exitCode === null; i++) {
      if (await pings(port)) {
        return {
          port,
          url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
          stop: () => stopProcess(proc),
        };
      }
      await sleep(50);
    }
    proc.kill('SIGKILL');
  }
  throw new Error('redis-server did not start');
}

/** SIGTERM (or `sig`) to one process we started; resolves when it has exited. */
export function stopProcess(proc, sig = 'SIGTERM') {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once('exit', resolve);
    proc.kill(sig);
  });
}

/** Starts a long-running process and resolves once its stderr (or stdout) contains `ready`. */
export function startUntil(cmd, args, { env, cwd, ready, timeoutMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not get ready: ${seen.slice(-500)}`));
    }, timeoutMs);
    const look = (b) => {
      if (seen.length < 10_000) seen += b.toString();
      if (seen.includes(ready)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout.on('data', look);
    proc.stderr.on('data', look);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code}: ${seen.slice(-500)}`));
    });
  });
}
