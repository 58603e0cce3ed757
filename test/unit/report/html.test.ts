import { describe, expect, it } from 'vitest';
import { toSpec } from '../../../src/cli/to-spec.js';
import { WeftError } from '../../../src/errors.js';
import type { WeftEvent } from '../../../src/events/types.js';
import { buildReport } from '../../../src/report/build.js';
import { ReportCollector } from '../../../src/report/collect.js';
import { BAR_COLOUR, escapeHtml, formatMs, renderHtml } from '../../../src/report/html.js';
import { reportFormat } from '../../../src/report/writer.js';

const EVIL = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "'><svg onload=alert(3)>",
  '</title><script>alert(4)</script>',
  '&lt;already-escaped&gt;',
  ']]><!-- --></style></svg>',
];

/** A report of a run whose title, commands and args are all hostile. */
function evilReport(): string {
  const c = new ReportCollector();
  const T0 = 1_700_000_000_000;
  const emit = (e: Record<string, unknown>) => c.listener({ runId: '<b>run</b>', t: 0, ...e } as WeftEvent);
  emit({ type: 'run_started', jobs: 2, startedAt: T0 });
  EVIL.forEach((arg, i) => {
    const seq = i + 1;
    const command = `echo ${arg}`;
    emit({ type: 'job_started', seq, slot: (i % 2) + 1, attempt: 1, command });
    emit({
      type: 'job_finished',
      seq,
      slot: (i % 2) + 1,
      attempt: 1,
      final: true,
      command,
      args: [arg, `x${arg}`],
      exitCode: 1,
      signal: 0,
      start: T0 + i * 100,
      durationMs: 100,
      stdoutBytes: 0,
      stderrBytes: 0,
    });
    emit({ type: 'job_failed', seq, exitCode: 1, signal: 0, command });
  });
  return renderHtml(buildReport(c, { title: `cmd ${EVIL[0]} ${EVIL[3]}`, now: T0 + 1000 }));
}

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('gzip -9 ünïcode {} 100% $HOME')).toBe('gzip -9 ünïcode {} 100% $HOME');
  });
});

describe('HTML report', () => {
  const html = evilReport();

  it('contains no markup from user strings: no script, no injected elements or handlers', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<svg onload/i);
    expect(html).not.toMatch(/<b>run/);
    expect(html).not.toMatch(/<!--/);
    // Every `<` in the document starts one of the renderer's own tags.
    const allowed = new Set(
      '!doctype html head meta title style body h1 h2 p br code div span i svg line text rect table thead tbody tr th td footer'.split(
        ' ',
      ),
    );
    const tags = [...html.matchAll(/<\/?([a-z!][a-z0-9]*)/gi)].map((m) => m[1].toLowerCase());
    expect(tags.filter((t) => !allowed.has(t))).toEqual([]);
  });

  it('shows the user strings escaped, as text', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&amp;lt;already-escaped&amp;gt;');
    expect(html).toContain('&lt;b&gt;run&lt;/b&gt;');
  });

  it('is self-contained: no scripts, links, external URLs or fonts', () => {
    const T0 = 1_700_000_000_000;
    const c = new ReportCollector();
    c.listener({ runId: 'r', t: 0, type: 'run_started', jobs: 1, startedAt: T0 });
    const plain = renderHtml(buildReport(c, { title: 'gzip -9 {}', now: T0 + 10 }));
    expect(plain).toContain('No jobs ran.');
    for (const page of [html, plain]) expect(page).not.toMatch(/<script|<link|<iframe|<object|<embed/i);
    expect(plain).not.toMatch(/https?:|\/\/[a-z]|<link|@import|url\(|src=["']?[a-z]/i);
    expect(plain).not.toMatch(/@font-face|<img/);
  });

  it('draws bars in the bar colour and lists every failure', () => {
    expect(html).toContain(`fill="${BAR_COLOUR}"`);
    expect(html).toContain(`Failures (${EVIL.length})`);
    expect(html.match(/<tr><td class="n">/g)).toHaveLength(EVIL.length);
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [850, '850 ms'],
    [1250, '1.25 s'],
    [42_000, '42.0 s'],
    [125_000, '2 min 05 s'],
    [3_720_000, '1 h 02 min'],
  ])('%d ms is %s', (ms, s) => expect(formatMs(ms)).toBe(s));
});

describe('--report FILE format', () => {
  it.each([
    ['r.json', 'json'],
    ['out/R.JSON', 'json'],
    ['r.html', 'html'],
    ['a.b/r.htm', 'html'],
  ])('%s is %s', (path, format) => expect(reportFormat(path)).toBe(format));

  it.each(['r.txt', 'r', 'report.json.gz', 'dir.html/', '.json/x'])('%s is an E_OPTION error', (path) => {
    let err: unknown;
    try {
      reportFormat(path);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_OPTION');
    expect((err as WeftError).message).toMatch(/--report: .* must end in \.json or \.html/);
  });

  it('toSpec checks it and puts it in the spec', () => {
    expect(toSpec({ report: 'r.html' }, ['echo']).report).toBe('r.html');
    expect(toSpec({}, ['echo']).report).toBeUndefined();
    expect(() => toSpec({ report: 'r.csv' }, ['echo'])).toThrow(/must end in \.json or \.html/);
  });
});
