import { crypto } from '../builtins.js';
import { WeftError } from '../errors.js';

/** The variable that holds the secret producer and workers share. */
export const SECRET_VAR = 'WEFT_SECRET';

/** What a signature covers: a job (producer → worker) or a result (worker → producer), never the other. */
export type SignedKind = 'job' | 'result';

/** The shared secret; queue mode refuses to run without one. */
export function requireSecret(env: NodeJS.ProcessEnv, mode: '--queue' | '--worker'): string {
  const secret = env[SECRET_VAR];
  if (!secret) {
    throw new WeftError(
      'E_QUEUE',
      `${mode} needs the shared secret in ${SECRET_VAR} (the same value on the producer and every worker; e.g. openssl rand -hex 32)`,
    );
  }
  return secret;
}

/**
 * One text for a value however its keys were ordered: JSON with object keys sorted and
 * undefined members left out. Signatures are over this, so re-serialising a job (Redis,
 * BullMQ) cannot break its signature, and any change to a field does.
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error('cannot sign a non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** HMAC-SHA256 (hex) of a job or result, without its `sig` field. */
export function sign(secret: string, kind: SignedKind, body: object): string {
  const { sig: _sig, ...rest } = body as { sig?: unknown };
  return crypto()
    .createHmac('sha256', secret)
    .update(`weft-${kind}-v1\n`)
    .update(canonical(rest))
    .digest('hex');
}

/** Why a signed body is not to be trusted, or undefined when its signature is right. */
export function checkSignature(secret: string, kind: SignedKind, body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return `the ${kind} is not an object`;
  const sig = (body as { sig?: unknown }).sig;
  if (typeof sig !== 'string' || sig === '') return `the ${kind} is unsigned`;
  let want: Buffer;
  try {
    want = Buffer.from(sign(secret, kind, body), 'hex');
  } catch {
    return `the ${kind} cannot be encoded`;
  }
  const got = Buffer.from(sig, 'hex');
  if (got.length !== want.length || !crypto().timingSafeEqual(got, want)) {
    return `the ${kind}'s signature does not match (tampered with, or signed with another ${SECRET_VAR})`;
  }
  return undefined;
}
