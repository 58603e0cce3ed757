import { WeftError } from '../errors.js';

/** Where the queue lives: a Redis server (and database) from a `redis://` or `rediss://` URL. */
export interface QueueLocation {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** `rediss://`: connect with TLS (the system's CAs check the server's certificate). */
  tls: boolean;
  /** The URL without credentials, for messages and logs. */
  display: string;
}

const bad = (url: string, why: string, flag: string) =>
  new WeftError('E_OPTION', `${flag}: '${redactUrl(url)}' ${why} (redis://[user:password@]host:port[/db])`);

/** The URL with any password replaced by `***` (it must never reach a log or an error message). */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** The variable a password can come from instead of the URL (a command line is visible in `ps`). */
export const PASSWORD_VAR = 'WEFT_REDIS_PASSWORD';

/** Parses `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
export function parseQueueUrl(
  url: string,
  flag = '--queue',
  env: NodeJS.ProcessEnv = process.env,
): QueueLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(url, 'is not a URL', flag);
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== 'redis:' && scheme !== 'rediss:')
    throw bad(url, 'must start with redis:// or rediss://', flag);
  // IPv6 literals come back in brackets; the client wants the bare address.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw bad(url, 'has no host', flag);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path))
    throw bad(url, `has '/${path}' where a database number goes`, flag);
  if (u.search || u.hash) throw bad(url, 'has a query or fragment; weft reads none', flag);
  const db = path === '' ? 0 : Number(path);
  const tls = scheme === 'rediss:';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    db,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : env[PASSWORD_VAR] || undefined,
    tls,
    display: `${tls ? 'rediss' : 'redis'}://${hostPart}:${port}/${db}`,
  };
}
