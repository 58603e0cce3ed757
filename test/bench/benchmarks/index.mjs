// The benchmark registry. To add a benchmark, write a module in this folder whose default
// export is { name, title, run(ctx) } — run resolves to an array of rows built with the
// helpers in ../lib.mjs (measureRow, ratioRow, skipRow) — and list it here.
import adaptive from './adaptive.mjs';
import dispatch from './dispatch.mjs';
import js from './js.mjs';
import startup from './startup.mjs';

export const benchmarks = [dispatch, startup, js, adaptive];
