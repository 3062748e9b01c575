import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../user-error.js';

const run = promisify(execFile);

// Most tools answer `--version`; java and go have their own spelling.
const PROBE: Record<string, string[]> = { java: ['-version'], go: ['version'] };

/** Fails with a clear message when a required executable is not on PATH. */
export async function requireTool(tool: string, hint: string): Promise<void> {
  try {
    await run(tool, PROBE[tool] ?? ['--version']);
  } catch {
    throw new UserError(`'${tool}' was not found on PATH; ${hint}`);
  }
}

/**
 * The line of a tool's output that says why it failed: the last one matching `telling`, else the
 * last line; undefined for no output.
 */
export function whyLine(output: string, telling: RegExp): string | undefined {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.filter((l) => telling.test(l)).at(-1) ?? lines.at(-1);
}
