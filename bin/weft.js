#!/usr/bin/env node
// The weft command. `npm run build` bundles the CLI into one CommonJS file, dist/weft.cjs,
// and records V8's code cache for it (dist/weft.cjs.cache) from a run of `weft echo ::: x`.
// Compiled with that cache, start-up skips parsing and compiling the bundle: `weft echo ::: x`
// took 93 ms with it, 121 ms without, 134 ms as an ES module (docs/benchmarks.md, start-up).
// A cache from another node version or other V8 flags is rejected by V8, and the bundle is
// then compiled as usual.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('../dist/weft.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // No cache (a build without one): compile.
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
if (process.env.WEFT_CODE_CACHE === 'write') {
  // The build's step: after the run, so the functions it compiled are in the cache too.
  process.on('exit', () => {
    try {
      writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
      renameSync(`${cacheFile}.tmp`, cacheFile);
    } catch (err) {
      process.stderr.write(`weft: cannot write the code cache ${cacheFile}: ${err.message}\n`);
    }
  });
}
const mod = { exports: {} };
script
  .runInThisContext()
  .call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));

await mod.exports.cli();
