import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsReason, WeftError } from '../errors.js';

/** GNU's escaping of a value used as a directory name: `\` → `\\`, `/` → `\_`. */
export const escapeDirName = (v: string): string => v.replaceAll('\\', '\\\\').replaceAll('/', '\\_');

/**
 * Writes one job's output in GNU parallel's `--results DIR` layout:
 * DIR/1/<arg1>/2/<arg2>/{stdout,stderr,seq}, with column names instead of numbers
 * when `--header` named them.
 */
export function writeResults(
  root: string,
  args: readonly string[],
  names: readonly string[] | undefined,
  seq: number,
  stdout: Buffer,
  stderr: Buffer,
): void {
  let dir = root;
  args.forEach((v, i) => (dir = join(dir, names?.[i] ?? String(i + 1), escapeDirName(v))));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stdout'), stdout);
    writeFileSync(join(dir, 'stderr'), stderr);
    writeFileSync(join(dir, 'seq'), String(seq));
  } catch (err) {
    throw new WeftError('E_RESULTS', `cannot write results: ${fsReason(err)}`, {
      location: { file: dir },
      cause: err,
    });
  }
}
