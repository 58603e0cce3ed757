// The yardstick for weft's queue mode: a plain BullMQ worker, as one would write it by hand.
// Each job is `sh -c CMD` through child_process.execFile; the return value is its stdout.
//   node test/bench/bullmq-plain/worker.mjs redis://127.0.0.1:6379/2 CONCURRENCY
import { execFile } from 'node:child_process';
import { Worker } from 'bullmq';

const [url, concurrency = '4'] = process.argv.slice(2);
const u = new URL(url);
const connection = {
  host: u.hostname,
  port: Number(u.port),
  db: Number(u.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
};

const worker = new Worker(
  'plain',
  (job) =>
    new Promise((resolve) => {
      execFile('/bin/sh', ['-c', job.data.cmd], (err, stdout) =>
        resolve({ stdout, code: err ? (err.code ?? 1) : 0 }),
      );
    }),
  { connection, concurrency: Number(concurrency) },
);
worker.on('error', (err) => console.error(err.message));
await worker.waitUntilReady();
console.error('plain worker ready');
process.on('SIGTERM', async () => {
  await worker.close();
  process.exit(0);
});
