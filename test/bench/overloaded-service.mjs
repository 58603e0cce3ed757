// A simulated service for -j auto (test/slow/adaptive.test.ts and the adaptive benchmark).
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * Starts an HTTP service on 127.0.0.1 (a free port) with a capacity: each request needs
 * `baseMs` of work, and the requests in flight share the service. Up to `capacity` at once,
 * each runs at full speed; past it, each slows by (capacity / in flight)², so latency grows
 * steeply and throughput falls, as an overloaded database or API does. Latency follows the
 * load while a request is in flight, not only when it arrives (processor sharing).
 *
 * @param {{ capacity: number, baseMs: number }} options
 * @returns {Promise<{ url: string, stats(): { served: number, peak: number }, close(): Promise<void> }>}
 */
export async function overloadedService({ capacity, baseMs }) {
  /** @type {Set<{ left: number, end(): void }>} */
  const active = new Set();
  let last = performance.now();
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  let served = 0;
  let peak = 0;
  const speed = () => Math.min(1, (capacity / Math.max(1, active.size)) ** 2);
  // Work done since the last change of the load, at the speed that load allowed.
  const advance = () => {
    const now = performance.now();
    const s = speed();
    for (const r of active) r.left -= (now - last) * s;
    last = now;
  };
  const schedule = () => {
    clearTimeout(timer);
    if (!active.size) return;
    let next = Infinity;
    for (const r of active) next = Math.min(next, r.left);
    timer = setTimeout(tick, Math.max(0, next / speed()));
  };
  const tick = () => {
    advance();
    for (const r of [...active]) {
      if (r.left <= 0.5) {
        active.delete(r);
        served++;
        r.end();
      }
    }
    schedule();
  };
  const server = createServer((req, res) => {
    req.resume();
    advance();
    active.add({ left: baseMs, end: () => res.end('ok\n') });
    peak = Math.max(peak, active.size);
    schedule();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}/`,
    stats: () => ({ served, peak }),
    close: () =>
      new Promise((resolve) => {
        clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/** A --js module that GETs the URL it is given (keep-alive): one request per job. */
export const GET_MODULE = `import http from 'node:http';
const agent = new http.Agent({ keepAlive: true });
export default ([url]) =>
  new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(url + ': ' + res.statusCode))));
      })
      .on('error', reject);
  });
`;
