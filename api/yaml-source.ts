// A parsed YAML file that can turn a problem at a node path into a one-line `file:line: why` error.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from '../src/user-error.js';

/** A parsed YAML document plus what is needed to point at its lines. */
export interface YamlSource {
  doc: Document;
  /** A UserError `file:line: message` for the node at `path` (or its nearest existing parent). */
  error(path: (string | number)[], message: string): UserError;
}

/** Parses YAML text; syntax errors become a UserError naming file:line. */
export function parseYamlFile(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const where = (offset: number | undefined) => (offset === undefined ? file : `${file}:${lines.linePos(offset).line}`);
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new UserError(`${where(first.pos[0])}: YAML syntax: ${first.message.split('\n')[0]}`);
  }
  return {
    doc,
    error(path, message) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node?.range) return new UserError(`${where(node.range[0])}: ${message}`);
      }
      return new UserError(`${file}: ${message}`);
    },
  };
}

/** True for a plain object (a YAML map after toJS), false for arrays, null and scalars. */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
