// Preloaded with `node --require` by startup.test.ts: records every module the process
// requires (CommonJS, so the CLI bundle's lazy requires and node: built-ins) and writes
// the list, as JSON, to $WEFT_TRACE_REQUIRE when the process exits.
const Module = require('node:module');
const { writeFileSync } = require('node:fs');

const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  seen.add(request);
  return load.call(this, request, ...rest);
};
process.on('exit', () => writeFileSync(process.env.WEFT_TRACE_REQUIRE, JSON.stringify([...seen])));
