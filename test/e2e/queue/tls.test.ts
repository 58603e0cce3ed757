// rediss://: a TLS-only redis-server with a certificate from a throwaway CA. weft checks the
// server's certificate against the system's CAs (plus NODE_EXTRA_CA_CERTS, Node's own way to
// add one) and its host name.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir, weft } from '../helpers.js';
import { SECRET, startRedis, startWorker, type RedisServer } from './cluster.js';

let redis: RedisServer;
let ca: string;

beforeAll(async () => {
  const dir = tempDir({ 'ext.cnf': 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' });
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=weft test CA',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
  );
  ca = join(dir, 'ca.pem');
  redis = await startRedis({ cert: join(dir, 'server.pem'), key: join(dir, 'server.key'), ca });
});
afterAll(async () => {
  await redis?.stop();
});

it('rediss:// runs jobs over TLS, and refuses a server whose certificate it cannot check', async () => {
  const env = { WEFT_SECRET: SECRET, NODE_EXTRA_CA_CERTS: ca };
  const worker = await startWorker(redis.url(), [], { NODE_EXTRA_CA_CERTS: ca });
  const r = await weft(['--queue', redis.url(), '-k', 'echo', ':::', 'over', 'tls'], { env });
  expect(r).toMatchObject({ code: 0, stdout: 'over\ntls\n' });
  // Without the CA the certificate is unknown: no connection, no job.
  const untrusted = await weft(['--queue', redis.url(), 'echo', ':::', 'x'], {
    env: { WEFT_SECRET: SECRET, NODE_EXTRA_CA_CERTS: '' },
  });
  expect(untrusted.code).toBe(255);
  expect(untrusted.stderr).toMatch(
    /^weft: cannot reach rediss:\/\/localhost:\d+\/0: self-signed certificate in certificate chain\n$/,
  );
  // Plain redis:// to a TLS port gets nowhere either.
  const plain = await weft(['--queue', redis.url().replace('rediss:', 'redis:'), 'echo', ':::', 'x'], {
    env,
  });
  expect(plain.code).toBe(255);
  expect(await worker.stop()).toBe(0);
});
