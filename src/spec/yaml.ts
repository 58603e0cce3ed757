import { isUtf8 } from 'node:buffer';
import type { Node as YamlNode } from 'yaml';
import { fileError, WeftError, type Location } from '../errors.js';
import { decodeRaw, encodeRaw } from '../raw-text.js';
import { readFile } from '../source/open.js';
import { problem, SpecProblems } from './problems.js';

/** A parsed spec file: its data, and where each part of it was written. */
export interface SpecSource {
  file: string;
  /** The document as plain data (null for an empty file). */
  data: unknown;
  /** Where the value at `path` starts; with `key`, where its key does. Falls back to the nearest parent. */
  at(path: readonly PropertyKey[], key?: boolean): Location;
}

/** yaml's message without its " at line N, column M:" tail and the excerpt after it. */
const yamlMessage = (message: string): string =>
  message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');

/**
 * Reads and parses a YAML job spec, keeping positions. Every syntax error is reported at once
 * (SpecProblems); an unreadable file is an E_NO_FILE/E_READ error.
 */
export async function readSpecFile(file: string): Promise<SpecSource> {
  let bytes: Buffer;
  try {
    // Through readFile's stream: a FIFO then waits for its writer without blocking the exit.
    const parts: Buffer[] = [];
    for await (const b of readFile(file)) parts.push(b as Buffer);
    bytes = Buffer.concat(parts);
  } catch (err) {
    throw err instanceof WeftError ? err : fileError(file, err);
  }
  if (!isUtf8(bytes)) throw notUtf8(bytes, file);
  return parseSpecText(bytes.toString('utf8'), file);
}

/** YAML is Unicode: a spec with bytes that are not UTF-8 is refused at the first of them. */
function notUtf8(bytes: Buffer, file: string): SpecProblems {
  const text = decodeRaw(bytes);
  const at = text.search(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  const offset = encodeRaw(before).length;
  return new SpecProblems([
    problem(`not valid UTF-8 (byte ${offset}); a spec file must be UTF-8 text`, {
      file,
      line,
      column,
      offset,
    }),
  ]);
}

/** Parses spec text already read (tests, stdin). */
export async function parseSpecText(text: string, file: string): Promise<SpecSource> {
  const { LineCounter, parseDocument, isMap, isSeq, isScalar } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const bad = [...doc.errors, ...doc.warnings];
  if (bad.length) {
    throw new SpecProblems(
      bad.map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return problem(`YAML syntax: ${yamlMessage(e.message)}`, { file, line: pos.line, column: pos.col });
      }),
    );
  }
  const where = (offset: number | undefined): Location => {
    const pos = lines.linePos(offset ?? 0);
    return { file, line: pos.line, column: pos.col };
  };
  const at = (path: readonly PropertyKey[], key = false): Location => {
    let node: unknown = doc.contents;
    let last = where((node as YamlNode | null)?.range?.[0]);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) return last;
        const keyNode = pair.key as YamlNode | null;
        if (key && i === path.length - 1) return where(keyNode?.range?.[0]);
        node = pair.value ?? keyNode;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
      } else return last;
      const range = (node as YamlNode | null)?.range;
      if (range) last = where(range[0]);
    }
    return last;
  };
  return { file, data: doc.toJS() as unknown, at };
}
