import { WeftError } from '../errors.js';
import { simpleArgv } from '../exec/simple-command.js';

/** `--allow PREFIX` values as words: `--allow 'gzip -9'` is ['gzip', '-9']. */
export function parseAllow(prefixes: string[]): string[][] {
  return prefixes.map((p) => {
    const words = simpleArgv(p.trim());
    if (!words) {
      throw new WeftError(
        'E_OPTION',
        `--allow: '${p}' must be plain words (a program and maybe its first arguments)`,
      );
    }
    return words;
  });
}

const short = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);

/**
 * Why a worker started with `--allow` refuses a command, or undefined when it may run it.
 * Only plain commands qualify — words and quoted strings, as weft's own quoting produces — so
 * no `;`, `|`, `&&`, `$(…)`, redirection or glob can smuggle a second program past the prefix;
 * their first words must equal one of the prefixes' words.
 */
export function refusal(command: string, allow: string[][]): string | undefined {
  if (allow.length === 0) return undefined;
  const argv = simpleArgv(command);
  if (!argv) {
    return `the command ${short(command)} is not a plain command; with --allow a worker runs only words and quoted strings (no ; | & $ \` < > or globs)`;
  }
  if (allow.some((prefix) => prefix.length <= argv.length && prefix.every((w, i) => argv[i] === w))) {
    return undefined;
  }
  return `the command ${short(command)} does not start with an allowed prefix (${allow.map((p) => p.join(' ')).join(', ')})`;
}
