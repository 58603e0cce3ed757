import { base, dir, exts, noExt, stripExts } from './paths.js';
import { parseWord, hasTokens, type ParseOptions, type Part, type Token, type Transform } from './parse.js';
import { shellQuote } from './quote.js';

/** What a command is expanded with: the job's arguments and its place in the run. */
export interface ExpandContext {
  args: readonly string[];
  seq: number;
  slot: number;
  /** Total number of jobs, when known (for `{##}` and `{0#}`). */
  total?: number;
  /** Number of job slots (for `{0%}`). */
  slots?: number;
}

const TRANSFORMS: Record<Transform, (s: string) => string> = {
  '': (s) => s,
  '.': noExt,
  '/': base,
  '//': dir,
  '/.': (s) => noExt(base(s)),
  '..': (s) => stripExts(s, 2),
  '...': (s) => stripExts(s, 3),
  '/..': (s) => stripExts(base(s), 2),
  '/...': (s) => stripExts(base(s), 3),
  '+/': (s) => (s.includes('/') ? dir(s) : ''),
  '+.': (s) => exts(s, 1),
  '+..': (s) => exts(s, 2),
  '+...': (s) => exts(s, 3),
};

/** Options for compiling a command template. */
export interface TemplateOptions extends ParseOptions {
  /** Quote the literal command words too (`-q`). */
  quoteCommand: boolean;
  /** `-X`: a word holding `{}` is repeated once per argument. */
  context: boolean;
  /** Insert values as they are, unquoted (for `--tagstring`, not for commands). */
  raw?: boolean;
  /** Append `{}` when the command names no replacement string (not in pipe mode). */
  appendArgs?: boolean;
}

/** A compiled command: call `expand` once per job. */
export interface Template {
  /** Whether the user's command names any replacement string (else `{}` was appended). */
  readonly explicit: boolean;
  /** Whether `{##}` or `{0#}` needs the total job count. */
  readonly needsTotal: boolean;
  expand(ctx: ExpandContext): string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function tokenValue(t: Token, ctx: ExpandContext, q: (s: string) => string): string {
  switch (t.kind) {
    case 'seq':
      return t.pad && ctx.total !== undefined ? pad(ctx.seq, String(ctx.total).length) : String(ctx.seq);
    case 'slot':
      return t.pad && ctx.slots !== undefined ? pad(ctx.slot, String(ctx.slots).length) : String(ctx.slot);
    case 'total':
      return String(ctx.total ?? '');
    case 'arg': {
      const f = TRANSFORMS[t.transform];
      if (t.pos !== undefined) return q(f(ctx.args[t.pos - 1] ?? ''));
      return ctx.args.map((a) => q(f(a))).join(' ');
    }
  }
}

/**
 * Compiles command words into a template. Words are joined with spaces and read by the
 * shell, as GNU parallel does; only substituted values are quoted (and, with -q, the words).
 * With no command at all, each argument is itself the command line.
 */
export function compileTemplate(command: readonly string[], opts: TemplateOptions): Template {
  if (command.length === 0) {
    return { explicit: true, needsTotal: false, expand: (ctx) => ctx.args.join(' ') };
  }
  // -X repeats whitespace-separated words of the joined line, as GNU does.
  const source = opts.context ? command.join(' ').split(' ') : command;
  const words: Part[][] = source.map((w) => parseWord(w, opts));
  const explicit = hasTokens(words);
  if (!explicit && opts.appendArgs !== false) words.push([{ kind: 'arg', transform: '' }]);
  const needsTotal = words.some((w) =>
    w.some((p) => typeof p !== 'string' && (p.kind === 'total' || (p.kind === 'seq' && p.pad))),
  );
  const q = opts.raw ? (s: string) => s : shellQuote;
  const lit = opts.quoteCommand ? (s: string) => shellQuote(s) : (s: string) => s;
  const wordText = (w: Part[], ctx: ExpandContext) => {
    if (w.length === 0) return lit('');
    let out = '';
    for (const p of w) out += typeof p === 'string' ? lit(p) : tokenValue(p, ctx, q);
    return out;
  };
  const isContextWord = (w: Part[]) =>
    w.some((p) => typeof p !== 'string' && p.kind === 'arg' && p.pos === undefined);
  return {
    explicit,
    needsTotal,
    expand(ctx) {
      const out: string[] = [];
      for (const w of words) {
        if (opts.context && isContextWord(w) && ctx.args.length > 1) {
          for (const a of ctx.args) out.push(wordText(w, { ...ctx, args: [a] }));
        } else {
          out.push(wordText(w, ctx));
        }
      }
      return out.join(' ');
    },
  };
}
