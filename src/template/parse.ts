import { WeftError } from '../errors.js';

/** A path transform applied to an argument before it is quoted. */
export type Transform =
  '' | '.' | '/' | '//' | '/.' | '..' | '...' | '/..' | '/...' | '+/' | '+.' | '+..' | '+...';

/** One replacement string found in a command. */
export type Token =
  | { kind: 'arg'; pos?: number; transform: Transform }
  | { kind: 'seq'; pad: boolean }
  | { kind: 'slot'; pad: boolean }
  | { kind: 'total' };

/** A command word split into literal text and replacement strings. */
export type Part = string | Token;

export interface ParseOptions {
  /** The string that stands for the argument (`-I`, default `{}`). */
  replace: string;
  /** Enables the `--plus` forms. */
  plus: boolean;
  /** Column names from `--header :`, in order; `{name}` refers to the column's position. */
  names?: readonly string[];
}

const BASIC = ['//', '/.', '/', '.', ''] as const;
const PLUS = ['/...', '/..', '...', '..', '+/', '+...', '+..', '+.'] as const;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function tokenRegex(opts: ParseOptions): RegExp {
  const transforms = [...(opts.plus ? PLUS : []), ...BASIC].map(escape).join('|');
  const alts = [
    '\\{=', // perl expression: rejected below
    `\\{(\\d+)(${transforms})\\}`,
    `\\{(${transforms.replace(/\|$/, '')})\\}`,
    '\\{#\\}',
    '\\{%\\}',
  ];
  if (opts.plus) alts.push('\\{##\\}', '\\{0#\\}', '\\{0%\\}');
  if (opts.names?.length) alts.push(`\\{(${opts.names.map(escape).join('|')})\\}`);
  alts.push(escape(opts.replace));
  return new RegExp(alts.join('|'), 'g');
}

function toToken(m: RegExpExecArray, opts: ParseOptions): Token | undefined {
  const s = m[0];
  if (s === opts.replace) return { kind: 'arg', transform: '' };
  if (s === '{#}') return { kind: 'seq', pad: false };
  if (s === '{0#}') return { kind: 'seq', pad: true };
  if (s === '{%}') return { kind: 'slot', pad: false };
  if (s === '{0%}') return { kind: 'slot', pad: true };
  if (s === '{##}') return { kind: 'total' };
  if (m[1] !== undefined) return { kind: 'arg', pos: Number(m[1]), transform: m[2] as Transform };
  if (m[3] !== undefined) {
    // `{}` is only a token when -I has not renamed it.
    if (m[3] === '' && opts.replace !== '{}') return undefined;
    return { kind: 'arg', transform: m[3] as Transform };
  }
  if (m[4] !== undefined && opts.names)
    return { kind: 'arg', pos: opts.names.indexOf(m[4]) + 1, transform: '' };
  return undefined;
}

/** Splits one command word into literal text and tokens. */
export function parseWord(word: string, opts: ParseOptions): Part[] {
  const re = tokenRegex(opts);
  const parts: Part[] = [];
  let last = 0;
  for (let m = re.exec(word); m; m = re.exec(word)) {
    if (m[0] === '{=') {
      throw new WeftError(
        'E_TEMPLATE',
        `perl replacement strings ({= ... =}) are not supported in '${word}'; do the transformation in the shell command instead`,
      );
    }
    const token = toToken(m, opts);
    if (!token) continue;
    if (m.index > last) parts.push(word.slice(last, m.index));
    parts.push(token);
    last = m.index + m[0].length;
  }
  if (last < word.length) parts.push(word.slice(last));
  return parts;
}

/** True when any part of any word is a replacement string. */
export const hasTokens = (words: Part[][]): boolean =>
  words.some((w) => w.some((p) => typeof p !== 'string'));

/** True when the command refers to the argument itself (not only {#} or {%}). */
export const hasArgTokens = (words: Part[][]): boolean =>
  words.some((w) => w.some((p) => typeof p !== 'string' && p.kind === 'arg'));
