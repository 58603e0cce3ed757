import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAR_COLOUR } from '../../../src/report/html.js';
import { tempDir, weft } from '../helpers.js';
import { decodePng, hex } from './png.js';

/** Chromium from the Debian package (.ci/run installs it). */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM) || spawnSync('sh', ['-c', 'command -v chromium']).status === 0;

/**
 * Runs headless Chromium on `extra` + a URL, with the flags it needs on a closed network
 * (without the background-networking ones it hangs). Killed, with its whole process group,
 * after `timeoutMs`.
 */
function chromium(
  extra: string[],
  url: string,
  timeoutMs = 25_000,
): Promise<{ code: number | null; stdout: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'weft-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--window-size=1200,900',
    ...extra,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(existsSync(CHROMIUM) ? CHROMIUM : 'chromium', args, {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      resolve({ code, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

// Skipped only outside CI when Chromium is missing; in CI (.ci/run installs it) it must run.
describe.skipIf(!hasChromium && !process.env.CI)('HTML report in headless Chromium', () => {
  let dir = '';
  let url = '';
  beforeAll(async () => {
    dir = tempDir();
    // 24 jobs of 50–350 ms on 4 slots; two fail; one arg tries to inject a script.
    const values = Array.from({ length: 24 }, (_, i) => String(i + 1));
    const r = await weft(
      [
        '-j4',
        '--report',
        'r.html',
        'sleep 0.$(( ({} * 7) % 4 ))5; [ $(( {} % 11 )) -ne 0 ]',
        ':::',
        ...values,
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(2);
    const evil = await weft(
      ['--report', 'evil.html', 'exit 1', ':::', '<script>document.title="pwned"</script>'],
      {
        cwd: dir,
      },
    );
    expect(evil.code).toBe(1);
    url = pathToFileURL(join(dir, 'r.html')).href;
  }, 30_000);

  it('renders a real chart: many colours, and large areas of the bar colour', async () => {
    const png = join(dir, 'shot.png');
    const res = await chromium([`--screenshot=${png}`], url);
    expect(res.code).toBe(0);
    const img = decodePng(readFileSync(png));
    expect([img.width, img.height]).toEqual([1200, 900]);

    const colours = new Set<number>();
    const [br, bg, bb] = hex(BAR_COLOUR);
    let barPixels = 0;
    let rowsWithLongBars = 0;
    for (let y = 0; y < img.height; y++) {
      let run = 0;
      let longest = 0;
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        const [r, g, b] = [img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]];
        colours.add((r << 16) | (g << 8) | b);
        if (r === br && g === bg && b === bb) {
          barPixels++;
          longest = Math.max(longest, ++run);
        } else run = 0;
      }
      if (longest >= 40) rowsWithLongBars++;
    }
    // Text anti-aliasing and several chart colours: far from a blank page.
    expect(colours.size).toBeGreaterThan(100);
    // Gantt bars in the bar colour: thousands of pixels, on many rows, in long horizontal runs.
    expect(barPixels).toBeGreaterThan(5000);
    expect(rowsWithLongBars).toBeGreaterThan(30);
  }, 30_000);

  it('parses to the expected DOM; injected markup stays text', async () => {
    const page = await chromium(['--dump-dom'], url);
    expect(page.code).toBe(0);
    expect(page.stdout).toContain('weft run report');
    expect((page.stdout.match(/<rect /g) ?? []).length).toBeGreaterThan(24);
    expect(page.stdout).toContain('Failures (2)');

    const evil = await chromium(['--dump-dom'], pathToFileURL(join(dir, 'evil.html')).href);
    expect(evil.code).toBe(0);
    expect(evil.stdout).not.toMatch(/<script/i);
    expect(evil.stdout).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');
    expect(evil.stdout).not.toContain('<title>pwned</title>');
  }, 30_000);
});
