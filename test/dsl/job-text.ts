// Helpers for the dsl tests: a minimal valid job file to vary, and positions found in the fixture text.
import { checkJobText } from '../../src/dsl/check-job.js';
import { compileJob } from '../../src/dsl/compile-job.js';
import type { CompiledJob, Diagnostic } from '../../src/dsl/job-spec.js';

/** A valid job file; `extra` is appended (top-level keys), `schema` replaces the column lines. */
export function jobText(extra = '', schema = '  event_type: string\n  quantity: int\n  size: string\n', name = 't'): string {
  return `job: ${name}\nsource:\n  topic: events\nschema:\n${schema}sink:\n  path: data/${name}\n${extra}`;
}

/** 1-based line and column of the `nth` (0-based) occurrence of `needle` in `text`, plus `shift` columns. */
export function positionOf(text: string, needle: string, nth = 0, shift = 0): { line: number; column: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`fixture has no ${nth + 1}th '${needle}'`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') + shift };
}

/** The diagnostics of a job text, errors only, as line/column/message. */
export function errorsOf(text: string): Pick<Diagnostic, 'line' | 'column' | 'message'>[] {
  return checkJobText('t.job.yaml', text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map(({ line, column, message }) => ({ line, column, message }));
}

/** Checks and compiles a job text, failing loudly when it does not check. */
export function compiled(text: string): CompiledJob {
  const { spec, diagnostics } = checkJobText('t.job.yaml', text);
  if (!spec) throw new Error(diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  return compileJob(spec);
}
