import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/dsl/format-diagnostic.js';

describe('formatDiagnostic', () => {
  const d = { file: 'jobs/x.job.yaml', line: 2, column: 7, severity: 'error' as const, message: 'bad' };

  it('prints path:line:col: error: message, the line and a caret under the column', () => {
    expect(formatDiagnostic(d, 'job: x\nwhere: a = 1\n')).toBe('jobs/x.job.yaml:2:7: error: bad\nwhere: a = 1\n      ^');
  });

  it('keeps tabs so the caret lines up', () => {
    expect(formatDiagnostic({ ...d, column: 3 }, 'x\n\ta b\n').split('\n')[2]).toBe('\t ^');
  });

  it('prints only the head line without the text or past its end', () => {
    expect(formatDiagnostic(d)).toBe('jobs/x.job.yaml:2:7: error: bad');
    expect(formatDiagnostic({ ...d, line: 9 }, 'one line')).toBe('jobs/x.job.yaml:9:7: error: bad');
  });
});
