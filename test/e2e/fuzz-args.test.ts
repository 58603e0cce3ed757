/**
 * Arbitrary bytes as arguments (issue #6): `weft echo ::: X` prints exactly X and a newline, for
 * any X a command line can hold (no NUL): quotes, `$(...)`, backticks, globs, newlines, bytes that
 * are not UTF-8. Each run passes a batch of values to one weft (-k keeps their order).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRaw } from '../../src/raw-text.js';
import { runWeft } from './bad-corpus.js';
import { tempDir } from './helpers.js';

/** Pieces that have broken shells and quoting before, mixed with arbitrary non-NUL bytes. */
const piece = fc.oneof(
  fc
    .constantFrom(
      "'",
      '"',
      '\\',
      '`id`',
      '$(echo pwned)',
      '$HOME',
      '${x}',
      '!',
      ';',
      '&&',
      '|',
      '>',
      '<',
      '*',
      '?',
      '[a]',
      '~',
      '#',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '{}',
      '{1}',
      ':::',
      '--',
      '-n',
      '%s',
      'é',
      '😀',
      '\u2028',
    )
    .map((s) => Buffer.from(s)),
  fc
    .constantFrom([0xff], [0xfe, 0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x80])
    .map((b) => Buffer.from(b)),
  fc.uint8Array({ min: 1, max: 255, minLength: 1, maxLength: 6 }).map((b) => Buffer.from(b)),
);

/** One argument: bytes without NUL, never one of weft's input separators. */
const value = fc
  .array(piece, { maxLength: 6 })
  .map((parts) => Buffer.concat(parts))
  .filter((b) => !/^(:::|::::)\+?$/.test(b.toString('latin1')));

/** Arguments bash's echo would take as its own options (-n, -e, -E and their mixes), as GNU parallel's echo does. */
const echoOption = (b: Buffer) => /^-[neE]+$/.test(b.toString('latin1'));

const batch = (filter: (b: Buffer) => boolean = () => true) =>
  fc.array(value.filter(filter), { minLength: 1, maxLength: 15 });

/** Runs weft with `before ::: values` and compares stdout with `expected(value)` for each value, in order. */
async function check(
  before: string[],
  values: Buffer[],
  expected: (v: Buffer) => Buffer,
  env: Record<string, string> = {},
): Promise<void> {
  const args = [...before, ':::', ...values.map(decodeRaw)];
  // Jobs run in $SHELL, else /bin/sh; dash's echo expands backslash escapes (`\\0` is NUL) where
  // bash's does not, and CI runs without $SHELL: the expectations here are bash's.
  const out = await runWeft(args, tempDir(), Buffer.alloc(0), { SHELL: '/bin/bash', ...env });
  const want = Buffer.concat(values.map(expected));
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
  if (!out.stdout.equals(want)) {
    // Show the difference readably (as latin1, one char per byte).
    expect(out.stdout.toString('latin1')).toBe(want.toString('latin1'));
  }
}

const line = (v: Buffer) => Buffer.concat([v, Buffer.from('\n')]);
const RUNS = { numRuns: 12 };

describe.concurrent('fuzz: any bytes as arguments come out exactly', () => {
  it('weft echo ::: X', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        batch((b) => !echoOption(b)),
        (vs) => check(['-k', 'echo'], vs, line),
      ),
      RUNS,
    );
  });

  it('weft -q printf %s\\n ::: X (no echo options to avoid)', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(), (vs) => check(['-k', '-q', 'printf', '%s\\n'], vs, line)),
      RUNS,
    );
  });

  it('weft echo pre{}post ::: X', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(), (vs) =>
        check(['-k', 'echo', 'pre{}post'], vs, (v) =>
          Buffer.concat([Buffer.from('pre'), v, Buffer.from('post\n')]),
        ),
      ),
      RUNS,
    );
  });

  it('weft -q echo {} ::: X, each job spawned (WEFT_DISPATCH=spawn)', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        batch((b) => !echoOption(b)),
        (vs) => check(['-k', '-q', 'echo', '{}'], vs, line, { WEFT_DISPATCH: 'spawn' }),
      ),
      RUNS,
    );
  });

  it('--dry-run prints command lines that bash runs as the jobs would', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(batch(), async (vs) => {
        const dry = await runWeft(
          ['--dry-run', '-k', '-q', 'printf', '%s\\0', ':::', ...vs.map(decodeRaw)],
          tempDir(),
          Buffer.alloc(0),
        );
        expect(dry.code).toBe(0);
        const ran = spawnSync('bash', [], { input: dry.stdout });
        expect(ran.stdout.equals(Buffer.concat(vs.map((v) => Buffer.concat([v, Buffer.from([0])]))))).toBe(
          true,
        );
      }),
      RUNS,
    );
  });
});
