import { WeftError } from '../errors.js';

/**
 * Parses a size as GNU parallel does: K, M, G, T, P are powers of 1024,
 * k, m, g, t, p powers of 1000 (`--block 1M` is 1048576 bytes, `1m` is 1000000).
 */
export function parseSize(text: string, option: string): number {
  const m = /^(-?\d+(?:\.\d+)?)([kmgtpKMGTP]?)$/.exec(text.trim());
  if (!m) throw new WeftError('E_OPTION', `${option}: '${text}' is not a size (e.g. 20, 64k, 1M)`);
  const exp = ' kmgtp'.indexOf(m[2].toLowerCase());
  const base = m[2] === '' ? 1 : m[2] === m[2].toUpperCase() ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** Math.max(0, exp));
}

/** `1.5G`, `512M`, `800K`: sizes in GNU's powers of 1024. */
export function formatSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  const text = i > 0 && n < 10 && !Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n));
  return text + units[i];
}

/** Parses seconds with an optional unit: 1.5, 30s, 5m, 2h, 1d, 200ms. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new WeftError('E_OPTION', `${option}: '${text}' is not a duration (e.g. 1.5, 30s, 5m)`);
  const mult = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'] ?? 1;
  return Number(m[1]) * mult;
}
