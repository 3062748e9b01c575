import type { LineCounter } from 'yaml';
import type { Diagnostic } from './job-spec.js';

/** Collects a file's diagnostics from character offsets, turning them into 1-based line and column. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string, private readonly lines: LineCounter) {}

  /** Records an error at a character offset of the file. */
  error(offset: number, message: string): void {
    this.add(offset, message, 'error');
  }

  /** Records a warning at a character offset of the file. */
  warning(offset: number, message: string): void {
    this.add(offset, message, 'warning');
  }

  /** True when at least one error (not warning) was recorded. */
  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  private add(offset: number, message: string, severity: Diagnostic['severity']): void {
    const { line, col } = this.lines.linePos(offset);
    this.diagnostics.push({ file: this.file, line, column: col, severity, message });
  }
}
