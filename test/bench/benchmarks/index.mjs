// The benchmark registry. To add a benchmark, write a module in this folder whose default
// export is { name, title, run(ctx) } — run resolves to an array of rows built with the
// helpers in ../lib.mjs (measureRow, ratioRow, skipRow) — and list it here.
import adaptive from './adaptive.mjs';
import dispatch from './dispatch.mjs';
import journal from './journal.mjs';
import js from './js.mjs';
import order from './order.mjs';
import queue from './queue.mjs';
import reuse from './reuse.mjs';
import spill from './spill.mjs';
import startup from './startup.mjs';

export const benchmarks = [dispatch, startup, journal, reuse, order, spill, queue, js, adaptive];
