import { createRequire } from 'node:module';

// Node built-ins that most runs never touch, loaded on first use instead of at start-up.
// node:crypto alone brings in 17 internal modules; with zlib it is about 6 ms of every
// `weft echo ::: x` (docs/benchmarks.md, start-up).
const load = createRequire(import.meta.url);

export const crypto = (): typeof import('node:crypto') => load('node:crypto');
export const zlib = (): typeof import('node:zlib') => load('node:zlib');
