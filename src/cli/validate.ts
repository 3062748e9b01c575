import { formatDiagnostic } from '../dsl/format-diagnostic.js';
import { loadJobs } from '../dsl/load-jobs.js';
import type { Diagnostic } from '../dsl/job-spec.js';
import { UserError } from '../user-error.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gamepipe validate [--format text|json] <job files or directories>';

/** Prints diagnostics in the chosen format; shared by `validate` and `test`. */
export function printDiagnostics(diagnostics: Diagnostic[], sources: Map<string, string>): void {
  for (const d of diagnostics) console.log(formatDiagnostic(d, sources.get(d.file)));
}

/** Reads `<files or dirs>` (and `--format` when asked); `--help` and bad usage are UserErrors (exit 0 and 2). */
export function jobPathsFrom(args: string[], usage: string, withFormat: boolean): { paths: string[]; format: string } {
  const { values, positionals } = parseFlags(args, { help: { type: 'boolean', short: 'h' }, ...(withFormat && { format: { type: 'string' } }) });
  if ((values as { help?: boolean }).help) throw new UserError(usage, 0);
  const format = (values as { format?: string }).format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UserError(`--format must be text or json, got '${format}'\n${usage}`, 2);
  if (!positionals.length) throw new UserError(`no job files or directories given\n${usage}`, 2);
  return { paths: positionals, format };
}

/** `gamepipe validate`: checks job files; exit 0 when clean, 1 on any error, 2 on bad usage. */
export async function run(args: string[]): Promise<number> {
  const { paths, format } = jobPathsFrom(args, USAGE, true);
  const { jobs, diagnostics, sources } = await loadJobs(paths);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  if (format === 'json') {
    console.log(JSON.stringify({ ok: errors === 0, jobs: jobs.map((j) => j.spec.job), errors, diagnostics }, null, 2));
  } else {
    printDiagnostics(diagnostics, sources);
    const summary = `${sources.size} file${sources.size === 1 ? '' : 's'} checked, ${errors} error${errors === 1 ? '' : 's'}`;
    console.log(errors ? summary : `${summary}: ok (${jobs.map((j) => j.spec.job).join(', ')})`);
  }
  return errors ? 1 : 0;
}
