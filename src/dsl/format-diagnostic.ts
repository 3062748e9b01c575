import type { Diagnostic } from './job-spec.js';

/**
 * `path:line:col: error: message`, then, when the file's text is given, the offending line and a
 * caret under the column (tabs kept so the caret lines up).
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
  if (sourceText === undefined) return head;
  const line = sourceText.split(/\r?\n/)[d.line - 1];
  if (line === undefined) return head;
  const pad = line.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, ' ');
  return `${head}\n${line}\n${pad}^`;
}
