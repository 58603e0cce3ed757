import type { Report, ReportFailure } from './build.js';
import { niceStep, stoppedByRun, type Attempt } from './stats.js';

/**
 * Renders a report as ONE self-contained HTML page: inline CSS and inline SVG, no script,
 * no network, no external fonts. Every string that came from the user (title, commands,
 * args) goes through `escapeHtml`.
 */

/** The colours of the charts (the tests look for BAR_COLOUR pixels in a screenshot). */
export const BAR_COLOUR = '#2a7ae2';
const FAIL = '#d64541';
const RETRY = '#f0a030';
const STOPPED = '#9aa5b1';
const THROUGHPUT = '#12a085';
const UTIL = '#7c5cc4';
const GRID = '#e3e7ec';
const INK = '#4a5560';

/** Escapes text for HTML content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** Human time: 850 ms, 1.25 s, 2 min 05 s, 1 h 02 min. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const s = ms / 1000;
    return `${s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : s.toFixed(0)} s`;
  }
  const totalS = Math.round(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(totalS / 60);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

const num = (x: number, digits = 2): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
const pct = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
const px = (x: number): string => String(Math.round(x * 10) / 10);

/** Width of the charts (the page is readable at 1200 px; the SVGs scale down). */
const W = 1000;
const LEFT = 64;
const RIGHT = 20;
const PLOT_W = W - LEFT - RIGHT;

function svgOpen(h: number, label: string): string {
  return `<svg viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${escapeHtml(label)}" shape-rendering="crispEdges">`;
}

function text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end' = 'start'): string {
  return `<text x="${px(x)}" y="${px(y)}" text-anchor="${anchor}">${escapeHtml(s)}</text>`;
}

/** Vertical grid lines and labels along a time axis from 0 to `spanMs`. */
function timeAxis(spanMs: number, top: number, bottom: number): string {
  const step = niceStep(spanMs / 8);
  const out: string[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) {
    const x = LEFT + (t / spanMs) * PLOT_W;
    out.push(`<line x1="${px(x)}" y1="${top}" x2="${px(x)}" y2="${bottom}" stroke="${GRID}"/>`);
    out.push(text(x, bottom + 14, formatMs(t), 'middle'));
  }
  return out.join('');
}

/** A value axis from 0 past `max` in about four round steps. */
function valueScale(max: number, integer: boolean): { step: number; top: number } {
  const step = integer ? Math.max(1, niceStep(max / 4)) : niceStep(max / 4, 1e-6);
  return { step, top: Math.ceil(max / step - 1e-9) * step };
}

/** Horizontal grid lines and labels for values from 0 to `max` (a valueScale top). */
function countAxis(max: number, step: number, top: number, h: number, integer: boolean): string {
  const out: string[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) {
    const y = top + h - (v / max) * h;
    out.push(`<line x1="${LEFT}" y1="${px(y)}" x2="${W - RIGHT}" y2="${px(y)}" stroke="${GRID}"/>`);
    out.push(text(LEFT - 6, y + 4, integer ? String(v) : num(v), 'end'));
  }
  return out.join('');
}

function colourOf(a: Attempt): string {
  if (a.unfinished || stoppedByRun(a)) return STOPPED;
  if (a.exitCode === 0 && a.signal === 0) return BAR_COLOUR;
  return a.final ? FAIL : RETRY;
}

function describeAttempt(a: Attempt): string {
  const how = a.unfinished
    ? 'unfinished'
    : a.killed
      ? `killed (${a.killed})`
      : a.signal
        ? `signal ${a.signal}`
        : `exit ${a.exitCode}`;
  const retry = a.attempt > 1 ? ` attempt ${a.attempt}` : '';
  return `job ${a.seq}${retry}, slot ${a.slot}: ${formatMs(a.startMs)} to ${formatMs(a.endMs)} (${formatMs(a.durationMs)}), ${how}`;
}

/**
 * Gantt chart: one row per slot, one bar per attempt with a pixel's gap before the next.
 * Bars narrower than 3 px that touch a neighbour of the same colour are merged, so the SVG
 * stays small for runs of any length.
 */
function timeline(r: Report): string {
  const slots = Math.max(1, r.stats.slots);
  const span = r.timeline.reduce((m, a) => Math.max(m, a.endMs), Math.max(1, r.stats.wallMs));
  const rowH = Math.max(3, Math.min(22, Math.floor(440 / slots)));
  const barH = rowH >= 8 ? rowH - 3 : Math.max(2, rowH - 1);
  const top = 6;
  const plotH = slots * rowH;
  const h = top + plotH + 24;
  const x = (ms: number) => LEFT + (Math.min(ms, span) / span) * PLOT_W;
  const rows: { x0: number; x1: number; colour: string; n: number; first: Attempt }[][] = Array.from(
    { length: slots },
    () => [],
  );
  for (const a of r.timeline) {
    const row = rows[a.slot - 1];
    if (!row) continue;
    const colour = colourOf(a);
    const x0 = x(a.startMs);
    const x1 = Math.max(x(a.endMs), x0 + 1);
    const prev = row.at(-1);
    const tiny = x1 - x0 < 3 || (prev !== undefined && prev.x1 - prev.x0 < 3);
    if (prev && prev.colour === colour && x0 <= prev.x1 + 0.5 && tiny) {
      prev.x1 = Math.max(prev.x1, x1);
      prev.n++;
    } else row.push({ x0, x1, colour, n: 1, first: a });
  }
  const out = [svgOpen(h, 'Timeline of jobs per slot'), timeAxis(span, top, top + plotH)];
  const labelEvery = rowH >= 12 ? 1 : Math.ceil(12 / rowH);
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    if (i % labelEvery === 0) out.push(text(LEFT - 6, y + rowH / 2 + 4, `slot ${i + 1}`, 'end'));
    for (const b of row) {
      const tip = b.n === 1 ? describeAttempt(b.first) : `${b.n} jobs`;
      const w = b.x1 - b.x0 >= 3 ? b.x1 - b.x0 - 1 : b.x1 - b.x0;
      out.push(
        `<rect x="${px(b.x0)}" y="${px(y + (rowH - barH) / 2)}" width="${px(w)}" height="${barH}" fill="${b.colour}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('');
}

/** Horizontal bars: busy time / wall time per slot. */
function utilization(r: Report): string {
  const n = Math.max(1, r.slots.length);
  const rowH = Math.max(3, Math.min(18, Math.floor(300 / n)));
  const barH = rowH >= 8 ? rowH - 4 : Math.max(2, rowH - 1);
  const h = 6 + n * rowH + 6;
  const out = [svgOpen(h, 'Utilization per slot')];
  const labels = rowH >= 10;
  r.slots.forEach((s, i) => {
    const y = 6 + i * rowH + (rowH - barH) / 2;
    const w = PLOT_W - 50;
    out.push(`<rect x="${LEFT}" y="${px(y)}" width="${w}" height="${barH}" fill="#eef1f5"/>`);
    out.push(
      `<rect x="${LEFT}" y="${px(y)}" width="${px(Math.min(1, s.utilization) * w)}" height="${barH}" fill="${UTIL}"><title>${escapeHtml(`slot ${s.slot}: busy ${formatMs(s.busyMs)} (${pct(s.utilization)}), ${s.attempts} attempts`)}</title></rect>`,
    );
    if (labels) {
      out.push(text(LEFT - 6, y + barH / 2 + 4, `slot ${s.slot}`, 'end'));
      out.push(text(LEFT + w + 8, y + barH / 2 + 4, pct(s.utilization)));
    }
  });
  out.push('</svg>');
  return out.join('');
}

/** Bars: how many jobs took how long. */
function histogramChart(r: Report): string {
  const bins = r.histogram.bins;
  const top = 8;
  const plotH = 200;
  const h = top + plotH + 24;
  const scale = valueScale(Math.max(1, ...bins.map((b) => b.count)), true);
  const max = scale.top;
  const out = [svgOpen(h, 'Histogram of job durations'), countAxis(max, scale.step, top, plotH, true)];
  const bw = PLOT_W / bins.length;
  const gap = Math.min(2, bw * 0.15);
  const labelEvery = Math.ceil(bins.length / 10);
  bins.forEach((b, i) => {
    const bh = (b.count / max) * plotH;
    const x0 = LEFT + i * bw;
    if (b.count > 0) {
      const tip = `${formatMs(b.fromMs)} to ${formatMs(b.toMs)}: ${b.count} job${b.count === 1 ? '' : 's'}`;
      out.push(
        `<rect x="${px(x0 + gap / 2)}" y="${px(top + plotH - bh)}" width="${px(bw - gap)}" height="${px(bh)}" fill="${BAR_COLOUR}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
    if (i % labelEvery === 0) out.push(text(x0, top + plotH + 16, formatMs(b.fromMs), 'middle'));
  });
  const last = bins.at(-1);
  if (last && bins.length % labelEvery === 0)
    out.push(text(W - RIGHT, top + plotH + 16, formatMs(last.toMs), 'middle'));
  out.push('</svg>');
  return out.join('');
}

/** Bars: jobs finished per second over the run. */
function throughputChart(r: Report): string {
  const { bucketMs, buckets } = r.throughput;
  const top = 8;
  const plotH = 160;
  const h = top + plotH + 24;
  const span = buckets.length * bucketMs;
  const scale = valueScale(Math.max(1, ...buckets.map((b) => b.perSecond)), false);
  const max = scale.top;
  const out = [
    svgOpen(h, 'Jobs finished per second'),
    countAxis(max, scale.step, top, plotH, false),
    timeAxis(span, top, top + plotH),
  ];
  const bw = PLOT_W / buckets.length;
  const gap = bw >= 6 ? 1 : 0;
  for (const b of buckets) {
    if (b.count === 0) continue;
    const bh = (b.perSecond / max) * plotH;
    const tip = `${formatMs(b.fromMs)} to ${formatMs(b.fromMs + bucketMs)}: ${b.count} finished (${num(b.perSecond)}/s)`;
    out.push(
      `<rect x="${px(LEFT + (b.fromMs / bucketMs) * bw + gap / 2)}" y="${px(top + plotH - bh)}" width="${px(Math.max(1, bw - gap))}" height="${px(bh)}" fill="${THROUGHPUT}"><title>${escapeHtml(tip)}</title></rect>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}

/** At most this many rows in a failures table (the JSON report has them all). */
const MAX_ROWS = 500;

function failureTable(jobs: ReportFailure[], what: string): string {
  const rows = jobs.slice(0, MAX_ROWS).map((f) => {
    const how = f.killed ? `killed (${f.killed})` : f.signal ? `signal ${f.signal}` : `exit ${f.exitCode}`;
    return (
      `<tr><td class="n">${f.seq}</td><td>${escapeHtml(how)}</td><td class="n">${f.attempts}</td>` +
      `<td class="n">${f.slot}</td><td class="n">${formatMs(f.startMs)}</td><td class="n">${formatMs(f.durationMs)}</td>` +
      `<td><code>${escapeHtml(JSON.stringify(f.args))}</code></td><td><code>${escapeHtml(f.command)}</code></td></tr>`
    );
  });
  const more =
    jobs.length > MAX_ROWS
      ? `<p class="note">${jobs.length - MAX_ROWS} more ${what} not shown; the JSON report (--report FILE.json) lists them all.</p>`
      : '';
  return (
    `<table><thead><tr><th>job</th><th>status</th><th>attempts</th><th>slot</th><th>started</th><th>duration</th><th>args</th><th>command</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>${more}`
  );
}

function status(r: Report): { text: string; cls: string } {
  const s = r.summary;
  if (!r.complete)
    return { text: 'Incomplete: the run ended with an error; this is what was known.', cls: 'bad' };
  if (s.interrupted) return { text: `Interrupted by ${s.interrupted}.`, cls: 'bad' };
  if (s.halted) return { text: `Halted early by --halt (exit status ${s.exitCode}).`, cls: 'bad' };
  if (s.failed > 0)
    return { text: `Finished with ${s.failed} failed job${s.failed === 1 ? '' : 's'}.`, cls: 'bad' };
  return { text: 'Finished: every job succeeded.', cls: 'ok' };
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 6px;padding-top:8px;border-top:1px solid #e3e7ec}
.sub{color:#616e7c;margin:0 0 12px;word-break:break-all}
.status{display:inline-block;padding:4px 10px;border-radius:4px;margin:4px 0 12px;font-weight:600}
.status.ok{background:#e3f4ea;color:#1e6b3a}.status.bad{background:#fdecea;color:#9b2c24}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #e3e7ec;border-radius:6px;padding:8px 14px;min-width:110px}
.card .v{font-size:20px;font-weight:600}.card .k{color:#616e7c;font-size:12px}
.note{color:#616e7c;margin:2px 0 8px}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px}
svg{max-width:100%;height:auto;display:block}
svg text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:${INK}}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e7ec;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}td.n{text-align:right;white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;white-space:pre-wrap}
footer{margin-top:28px;color:#9aa5b1;font-size:12px}
`;

/** The whole page. */
export function renderHtml(r: Report): string {
  const s = r.summary;
  const st = r.stats;
  const st2 = status(r);
  const card = (v: string, k: string) =>
    `<div class="card"><div class="v">${escapeHtml(v)}</div><div class="k">${escapeHtml(k)}</div></div>`;
  const legend = (items: [string, string][]) =>
    `<p class="legend note">${items.map(([c, t]) => `<span><i style="background:${c}"></i>${escapeHtml(t)}</span>`).join('')}</p>`;
  const ran = r.timeline.length > 0;
  const meanUtil = r.slots.length ? r.slots.reduce((a, x) => a + x.utilization, 0) / r.slots.length : 0;
  const parts = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>weft report: ${escapeHtml(r.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>weft run report</h1>`,
    `<p class="sub"><code>${escapeHtml(r.title)}</code><br>started ${escapeHtml(r.startedAt)} · run ${escapeHtml(r.runId)}</p>`,
    `<div class="status ${st2.cls}">${escapeHtml(st2.text)}</div>`,
    '<div class="cards">',
    card(String(s.jobs), 'jobs'),
    card(String(s.succeeded), 'succeeded'),
    card(String(s.failed), 'failed'),
    s.skipped ? card(String(s.skipped), 'skipped (--resume)') : '',
    s.cached ? card(String(s.cached), 'from the cache') : '',
    s.deduped ? card(String(s.deduped), 'duplicates (--dedupe)') : '',
    s.retried ? card(String(s.retried), 'retries') : '',
    card(formatMs(st.wallMs), 'wall time'),
    card(String(st.slots), r.concurrency ? 'peak slots (-j auto)' : 'slots (-j)'),
    card(`${num(st.speedup)}×`, 'speedup'),
    card(pct(st.efficiency), 'efficiency'),
    card(formatMs(st.duration.median), 'median job'),
    card(s.exitCode === null ? '?' : String(s.exitCode), 'exit status'),
    '</div>',
    `<p class="note">Speedup = sum of job run times (${escapeHtml(formatMs(st.busyMs))}) / wall time: how many jobs ran at once on average. Efficiency = speedup / slots.</p>`,
    '<h2>Timeline</h2>',
    ran
      ? legend([
          [BAR_COLOUR, 'succeeded'],
          [FAIL, 'failed'],
          [RETRY, 'failed, retried'],
          [STOPPED, 'stopped by weft / unfinished'],
        ]) +
        '<p class="note">One row per job slot; each bar is one attempt from its start to its end. Hover a bar for details.</p>' +
        timeline(r)
      : '<p class="note">No jobs ran.</p>',
    '<h2>Slot utilization</h2>',
    ran
      ? `<p class="note">Busy time / wall time per slot (mean ${pct(meanUtil)}).</p>` + utilization(r)
      : '<p class="note">No jobs ran.</p>',
    '<h2>Job durations</h2>',
    r.histogram.bins.length
      ? `<p class="note">Jobs per duration bin of ${escapeHtml(formatMs(r.histogram.binMs))}. min ${formatMs(st.duration.min)} · median ${formatMs(st.duration.median)} · 90th percentile ${formatMs(st.duration.p90)} · max ${formatMs(st.duration.max)}.</p>` +
        histogramChart(r)
      : '<p class="note">No job ran to its end.</p>',
    '<h2>Throughput</h2>',
    ran
      ? `<p class="note">Jobs finished per second, in buckets of ${escapeHtml(formatMs(r.throughput.bucketMs))}.</p>` +
        throughputChart(r)
      : '<p class="note">No jobs ran.</p>',
    `<h2>Failures (${r.failures.length})</h2>`,
    r.failures.length ? failureTable(r.failures, 'failures') : '<p class="note">No job failed.</p>',
    r.stopped.length
      ? `<h2>Stopped by weft (${r.stopped.length})</h2><p class="note">Jobs ended by --halt now or a signal; not counted as failures.</p>` +
        failureTable(r.stopped, 'stopped jobs')
      : '',
    `<footer>Generated by weft at ${escapeHtml(r.generatedAt)}. The same data as JSON: --report FILE.json.</footer>`,
    '</body></html>\n',
  ];
  return parts.join('\n');
}
