import { PassThrough } from 'node:stream';
import { buildProgram } from '../../../src/cli/program.js';
import type { CliOptions } from '../../../src/cli/to-spec.js';
import { main } from '../../../src/cli/main.js';
import { WeftError } from '../../../src/errors.js';
import { SpecProblems } from '../../../src/spec/problems.js';
import { resolveSpec, type Resolved } from '../../../src/spec/resolve.js';
import { parseSpecText } from '../../../src/spec/yaml.js';

/** The options and words commander makes of a command line. */
export function parseArgv(argv: string[]): { opts: CliOptions; words: string[] } {
  const program = buildProgram().exitOverride();
  program.parse(argv, { from: 'user' });
  return { opts: program.opts<CliOptions>(), words: program.args };
}

/** Resolves YAML text (as job.yaml) under a command line. */
export async function resolveText(
  yaml: string | undefined,
  argv: string[] = [],
  check = false,
): Promise<Resolved> {
  const { opts, words } = parseArgv(argv);
  const source = yaml === undefined ? undefined : await parseSpecText(yaml, 'job.yaml');
  return resolveSpec(opts, words, source, { check });
}

/** The lines `weft:` would print for the spec's problems (without the prefix); [] when it resolves. */
export async function problemLines(yaml: string | undefined, argv: string[] = []): Promise<string[]> {
  try {
    await resolveText(yaml, argv);
    return [];
  } catch (err) {
    if (err instanceof SpecProblems) return err.problems.map((p) => p.describe());
    if (err instanceof WeftError) return [err.describe()];
    throw err;
  }
}

/** Runs the CLI in-process: exit status and what it wrote. */
export async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(argv, { stdin, stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
