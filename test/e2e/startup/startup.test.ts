/**
 * Start-up (issue #8): heavy modules load only when a run uses them, and the CLI bundle is
 * compiled from the code cache the build made. Each test runs the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, weft } from '../helpers.js';

const TRACE = join(ROOT, 'test', 'e2e', 'startup', 'trace-require.cjs');
const HEAVY = [
  'yaml',
  'zod',
  'bullmq',
  'ioredis',
  'cli-progress',
  'csv-parse',
  'node:crypto',
  'node:zlib',
  'node:tty',
];

/** The modules a weft run required, in order. */
async function required(args: string[], files: Record<string, string> = {}): Promise<string[]> {
  const dir = tempDir(files);
  const out = join(dir, 'required.json');
  const r = await weft(args, {
    cwd: dir,
    env: { NODE_OPTIONS: `--require ${TRACE}`, WEFT_TRACE_REQUIRE: out },
  });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as string[];
}

describe('start-up', () => {
  it('`weft echo ::: x` loads none of the heavy modules', async () => {
    const mods = await required(['echo', ':::', 'x']);
    expect(mods).toContain('node:child_process'); // the trace sees the bundle's requires
    for (const m of HEAVY) expect(mods, m).not.toContain(m);
  });

  it('each heavy module loads when its feature is used', async () => {
    const spec = 'input:\n  values: [a]\ncommand: echo {}\n';
    expect(await required(['--spec', 'job.yaml'], { 'job.yaml': spec })).toEqual(
      expect.arrayContaining(['yaml', 'zod']),
    );
    expect(await required(['--csv', '--colsep', ',', 'echo', '{1}', ':::', 'a,b'])).toContain('csv-parse');
    expect(await required(['--journal', 'j', 'echo', ':::', 'x'])).toContain('node:crypto');
  });

  it('the build leaves a code cache beside the bundle, and V8 accepts it', () => {
    const file = join(ROOT, 'dist', 'weft.cjs');
    expect(existsSync(`${file}.cache`)).toBe(true);
    // Compiled as bin/weft.js compiles it, in a plain node (the test runner's flags may differ).
    const check = `const { readFileSync } = require('node:fs'); const Module = require('node:module');
      const s = new (require('node:vm').Script)(Module.wrap(readFileSync(process.argv[1], 'utf8')),
        { filename: process.argv[1], cachedData: readFileSync(process.argv[1] + '.cache') });
      console.log(s.cachedDataRejected);`;
    const r = spawnSync(process.execPath, ['-e', check, file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(r.stdout.trim()).toBe('false');
  });
});
