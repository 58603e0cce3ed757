// Runs every recipe of docs/cookbook.md and compares its output with the block that follows it,
// so the cookbook cannot rot. A recipe is a `<!-- recipe: NAME -->` marker, then a ```sh block
// (the command, run with `sh -c` from the repository root, `weft` on PATH), then a ```text block
// (its exact stdout).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, WEFT, tempDir } from './helpers.js';

interface Recipe {
  name: string;
  command: string;
  expected: string;
}

const DOC = readFileSync(join(ROOT, 'docs', 'cookbook.md'), 'utf8');

/** The recipes of a cookbook, in order. */
function recipes(doc: string): Recipe[] {
  const re = /<!-- recipe: ([\w-]+) -->\s*```sh\n([\s\S]*?)```\s*```text\n([\s\S]*?)```/g;
  return [...doc.matchAll(re)].map((m) => ({ name: m[1], command: m[2], expected: m[3] }));
}

const RECIPES = recipes(DOC);

/** A directory holding a `weft` that runs this checkout's bin/weft.js with this node. */
function weftOnPath(): string {
  const dir = tempDir();
  const shim = join(dir, 'weft');
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${WEFT}' "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

function sh(command: string, bin: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code });
    });
  });
}

describe('docs/cookbook.md', () => {
  it('has the recipes this test expects, and no untested shell block', () => {
    expect(RECIPES.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'status-per-hour',
        'csv-column-sum',
        'word-count',
        'top-n',
        'json-filter',
        'ndjson-by-key',
        'csv-several-files',
        'pipe-cat',
        'pipe-fifo',
        'pipe-round-robin',
      ]),
    );
    expect(new Set(RECIPES.map((r) => r.name)).size).toBe(RECIPES.length);
    // Every ```sh block belongs to a recipe (an untested command would rot).
    expect(DOC.match(/^```sh$/gm)?.length).toBe(RECIPES.length);
    for (const r of RECIPES) {
      expect(r.command, r.name).toMatch(/^(.*\n)*\s*weft /);
      expect(r.expected, r.name).not.toBe('');
    }
  });

  it('the recipes use fixtures in fixtures/cookbook/ that exist and that git does not ignore', () => {
    for (const r of RECIPES) {
      const used = r.command.match(/fixtures\/cookbook\/[\w.-]+/g) ?? [];
      expect(used, r.name).not.toEqual([]);
      for (const f of used) {
        expect(existsSync(join(ROOT, f)), f).toBe(true);
        // 0: ignored (e.g. by *.log), so a fresh checkout would not have it; 128: not a git checkout.
        const ignored = spawnSync('git', ['check-ignore', '-q', f], { cwd: ROOT }).status;
        expect(ignored, `${f} is ignored by git`).not.toBe(0);
      }
    }
  });
});

describe.concurrent('cookbook recipes', () => {
  const bin = weftOnPath();
  for (const r of RECIPES) {
    it(r.name, async () => {
      const res = await sh(r.command, bin);
      expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
      expect(res.stdout).toBe(r.expected);
    });
  }
});
