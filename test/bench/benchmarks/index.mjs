// The benchmark registry. To add a benchmark, write a module in this folder whose default
// export is { name, title, run(ctx) } — run resolves to an array of rows built with the
// helpers in ../lib.mjs (measureRow, ratioRow, skipRow) — and list it here.
import csv from './csv.mjs';
import adaptive from './adaptive.mjs';
import dispatch from './dispatch.mjs';
import journal from './journal.mjs';
import js from './js.mjs';
import json from './json.mjs';
import ndjson from './ndjson.mjs';
import order from './order.mjs';
import { pipepart, pipeStdin } from './pipe.mjs';
import queue from './queue.mjs';
import reuse from './reuse.mjs';
import rss from './rss.mjs';
import spill from './spill.mjs';
import startup from './startup.mjs';

export const benchmarks = [
  dispatch,
  startup,
  journal,
  reuse,
  order,
  spill,
  queue,
  ndjson,
  pipeStdin,
  pipepart,
  csv,
  json,
  rss,
  js,
  adaptive,
];
