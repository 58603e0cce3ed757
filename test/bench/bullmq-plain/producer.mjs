// The yardstick's producer: one job per line of FILE (`CMD line`), all added at once, each
// job's stdout printed as its completion event arrives; exits when every job is done.
//   node test/bench/bullmq-plain/producer.mjs redis://127.0.0.1:6379/2 FILE CMD
import { readFileSync } from 'node:fs';
import { Queue, QueueEvents } from 'bullmq';

const [url, file, cmd] = process.argv.slice(2);
const u = new URL(url);
const connection = {
  host: u.hostname,
  port: Number(u.port),
  db: Number(u.pathname.slice(1) || 0),
  maxRetriesPerRequest: null,
};
const args = readFileSync(file, 'utf8').split('\n').filter(Boolean);

const queue = new Queue('plain', { connection });
const events = new QueueEvents('plain', { connection });
await events.waitUntilReady();
let left = args.length;
let failed = 0;
const done = new Promise((resolve) => {
  events.on('completed', ({ returnvalue }) => {
    process.stdout.write(returnvalue.stdout);
    if (returnvalue.code !== 0) failed++;
    if (--left === 0) resolve();
  });
  events.on('failed', () => {
    failed++;
    if (--left === 0) resolve();
  });
});
await queue.addBulk(args.map((a) => ({ name: 'job', data: { cmd: `${cmd} ${a}` } })));
await done;
await events.close();
await queue.obliterate({ force: true });
await queue.close();
process.exit(failed ? 1 : 0);
