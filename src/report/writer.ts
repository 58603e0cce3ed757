import { closeSync, openSync, writeSync } from 'node:fs';
import { fileError, WeftError } from '../errors.js';
import type { EventListener } from '../events/types.js';
import { buildReport, reportJson } from './build.js';
import { ReportCollector } from './collect.js';
import { renderHtml } from './html.js';

export type ReportFormat = 'json' | 'html';

/** The format `--report FILE` asks for, by FILE's extension (.json, .html, .htm). */
export function reportFormat(path: string): ReportFormat {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'json') return 'json';
  if (ext === 'html' || ext === 'htm') return 'html';
  throw new WeftError(
    'E_OPTION',
    `--report: '${path}' must end in .json or .html (the extension chooses the report's format)`,
  );
}

/**
 * A report subscriber: collects from the events, and `close()` writes the report (JSON or
 * HTML by extension) with whatever is known, also after --halt, a signal or an error. The
 * file is created at once, so an unwritable path fails before any job runs.
 */
export function reportWriter(
  path: string,
  opts: { title?: string } = {},
): { listener: EventListener; close(): void } {
  const format = reportFormat(path);
  const collector = new ReportCollector();
  let fd: number | undefined;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw fileError(path, err);
  }
  return {
    listener: collector.listener,
    close: () => {
      if (fd === undefined) return;
      const file = fd;
      fd = undefined;
      try {
        const report = buildReport(collector, { title: opts.title });
        const body = format === 'json' ? reportJson(report) : renderHtml(report);
        try {
          writeSync(file, body);
        } catch (err) {
          throw fileError(path, err);
        }
      } finally {
        closeSync(file);
      }
    },
  };
}
