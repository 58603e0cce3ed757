import { parseDuration, parseSize } from '../chunk/units.js';
import { WeftError } from '../errors.js';
import { isKeyTemplate } from '../schedule/per-key.js';
import { parseRate } from '../schedule/rate.js';
import type { JobSpec, PipeSpec } from '../spec/types.js';
import { parseCount } from './numbers.js';
import type { CliOptions } from './to-spec.js';

/** `--key {1}` is a job key template (for --max-per-key), `--key host` a field of --format records. */
export const keyTemplate = (o: CliOptions): boolean => o.key !== undefined && isKeyTemplate(o.key, o.I);

/** `--rate`, `--burst`, `--key`/`--max-per-key` and `--memfree` (docs/scheduling.md). */
export function limits(
  o: CliOptions,
  pipe: PipeSpec | undefined,
): Pick<JobSpec, 'rate' | 'perKey' | 'memfree'> {
  if (o.burst !== undefined && o.rate === undefined)
    throw new WeftError('E_USAGE', '--burst needs --rate N/s');
  const template = keyTemplate(o);
  if (o.maxPerKey !== undefined && o.key === undefined) {
    throw new WeftError(
      'E_USAGE',
      '--max-per-key needs --key: a job key template ({1}, {host}) for argument jobs, or a field with --format',
    );
  }
  if (template && o.maxPerKey === undefined)
    throw new WeftError('E_USAGE', `--key '${o.key}' is a job key template: give --max-per-key N`);
  if (template && pipe) {
    throw new WeftError(
      'E_USAGE',
      `--key '${o.key}' is a job key template for argument jobs; in pipe mode --key names a field (with --format)`,
    );
  }
  const memfree = o.memfree === undefined ? undefined : parseSize(o.memfree, '--memfree');
  if (memfree !== undefined && memfree < 0)
    throw new WeftError('E_OPTION', `--memfree: '${o.memfree}' must not be negative`);
  return {
    rate:
      o.rate === undefined
        ? undefined
        : { perSecond: parseRate(o.rate), burst: o.burst === undefined ? 1 : parseCount(o.burst, '--burst') },
    perKey:
      o.maxPerKey === undefined
        ? undefined
        : { max: parseCount(o.maxPerKey, '--max-per-key'), template: template ? o.key : undefined },
    memfree,
  };
}

/** `--cache DIR [--cache-ttl D] [--cache-env VARS]` and `--dedupe [--dedupe-window D]`. */
export function reuse(o: CliOptions): Pick<JobSpec, 'cache' | 'dedupe'> {
  if (o.cache === undefined && (o.cacheTtl !== undefined || o.cacheEnv !== undefined)) {
    throw new WeftError(
      'E_USAGE',
      `${o.cacheTtl !== undefined ? '--cache-ttl' : '--cache-env'} needs --cache DIR`,
    );
  }
  const env = (o.cacheEnv ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  const badName = env.find((v) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v));
  if (badName !== undefined)
    throw new WeftError('E_OPTION', `--cache-env: '${badName}' is not an environment variable name`);
  const dedupe = o.dedupe || o.dedupeWindow !== undefined;
  return {
    cache:
      o.cache === undefined
        ? undefined
        : {
            dir: o.cache,
            ttlSeconds: o.cacheTtl === undefined ? undefined : parseDuration(o.cacheTtl, '--cache-ttl'),
            env,
          },
    dedupe: dedupe
      ? {
          windowSeconds:
            o.dedupeWindow === undefined ? undefined : parseDuration(o.dedupeWindow, '--dedupe-window'),
        }
      : undefined,
  };
}
