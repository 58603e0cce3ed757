import type { Writable } from 'node:stream';
import type { CliOptions } from '../cli/to-spec.js';
import { WeftError } from '../errors.js';
import { resolveSpec } from './resolve.js';
import type { JobSpec } from './types.js';
import { readSpecFile } from './yaml.js';

/** The effective spec as YAML, with a comment saying where it came from. */
export async function printSpec(doc: Record<string, unknown>, file?: string): Promise<string> {
  const { Document, isScalar, visit } = await import('yaml');
  const out = new Document(doc);
  // Short lists of plain values read best inline: `values: [a, b, c]`.
  visit(out, {
    Seq: (_, seq) => {
      if (seq.items.every((i) => isScalar(i))) seq.flow = true;
    },
  });
  out.commentBefore = file
    ? ` weft job spec: ${file} with the command line's flags over it`
    : ' weft job spec from the command line';
  return out.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * `--spec FILE`, `--validate [FILE]` and `--print-spec`: reads and checks the spec, merges the
 * flags over it, and either prints (returning an exit status) or returns what the run needs.
 * main() imports this module only when one of the three is given, so yaml and zod stay unloaded
 * on ordinary runs.
 */
export async function specCommand(
  opts: CliOptions,
  words: string[],
  io: { stdout: Writable; stderr: Writable },
): Promise<number | { spec: JobSpec; opts: CliOptions }> {
  const named = typeof opts.validate === 'string' ? opts.validate : undefined;
  if (named !== undefined && opts.spec !== undefined && opts.spec !== named) {
    throw new WeftError('E_USAGE', `--validate ${named} and --spec ${opts.spec} name two specs; give one`);
  }
  const file = named ?? opts.spec;
  if (opts.validate !== undefined && file === undefined) {
    throw new WeftError('E_USAGE', '--validate needs a spec: weft --validate job.yaml');
  }
  const check = opts.validate !== undefined || opts.printSpec === true;
  const source = file === undefined ? undefined : await readSpecFile(file);
  const resolved = await resolveSpec(opts, words, source, { check });
  for (const w of resolved.warnings) io.stderr.write(`weft: ${w.describe()}\n`);
  if (opts.printSpec) {
    io.stdout.write(await printSpec(resolved.doc, file));
    return 0;
  }
  if (opts.validate !== undefined) {
    io.stdout.write(`${file}: ok\n`);
    return 0;
  }
  return { spec: resolved.spec, opts: resolved.opts };
}
