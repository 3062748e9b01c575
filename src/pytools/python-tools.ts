import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gamepipeHome } from '../local-service/home.js';
import { requireTool, whyLine } from '../local-service/tools.js';
import { UserError } from '../user-error.js';
import { installHttpfs } from './httpfs-extension.js';

const run = promisify(execFile);

/**
 * What the venv holds: delta-rs (an independent Delta reader for the tests), pyarrow for it, and
 * the wheel carrying DuckDB's signed httpfs binary for the DuckDB the project pins (@duckdb/node-api 1.5.5-r.5).
 */
export const PYTHON_REQUIREMENTS = ['deltalake==1.6.6', 'pyarrow==26.0.1', 'duckdb-extension-httpfs==1.5.5'];
const DUCKDB_VERSION = 'v1.5.5';

export type PythonTools = { python: string; httpfsExtension: string };

function venvDir(): string {
  return join(gamepipeHome(), 'python');
}

// Written last, so a venv whose install was interrupted is never trusted.
function markerPath(): string {
  return join(venvDir(), 'gamepipe-tools.json');
}

type Marker = PythonTools & { requirements: string[] };

async function readMarker(): Promise<Marker | undefined> {
  try {
    const marker = JSON.parse(await readFile(markerPath(), 'utf8')) as Marker;
    const current = marker.requirements.join(' ') === PYTHON_REQUIREMENTS.join(' ');
    return current && existsSync(marker.python) && existsSync(marker.httpfsExtension) ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** The last line of a failed command's output, which is where pip and venv say why. */
function lastLine(err: unknown): string {
  return whyLine(`${(err as { stderr?: string }).stderr ?? ''}`, /error/i) ?? String(err);
}

/** The httpfs binary for DuckDB_VERSION inside the installed duckdb-extension-httpfs package. */
async function findHttpfs(python: string): Promise<string> {
  const { stdout } = await run(python, ['-c', 'import duckdb_extension_httpfs, os; print(os.path.dirname(duckdb_extension_httpfs.__file__))']);
  const packageDir = stdout.trim();
  const files = (await readdir(packageDir, { recursive: true })).filter((f) => f.endsWith('httpfs.duckdb_extension'));
  const file = files.find((f) => f.split('/').includes(DUCKDB_VERSION)) ?? files[0];
  if (!file) throw new UserError(`the duckdb-extension-httpfs package in ${packageDir} holds no httpfs.duckdb_extension`);
  return join(packageDir, file);
}

/**
 * Returns the venv python with delta-rs and pyarrow, and the path of a DuckDB httpfs extension that
 * loads in the project's DuckDB. Creates the venv under GAMEPIPE_HOME/python on first use; afterwards
 * it only reads a marker file.
 */
export async function ensurePythonTools(): Promise<PythonTools> {
  const ready = await readMarker();
  if (ready) return { python: ready.python, httpfsExtension: ready.httpfsExtension };

  await requireTool('python3', 'install Python 3.9 or newer (apt-get install python3 python3-venv)');
  const dir = venvDir();
  const python = join(dir, 'bin', 'python');
  await rm(dir, { recursive: true, force: true });
  process.stderr.write(`installing ${PYTHON_REQUIREMENTS.join(' ')} into ${dir} (first run only)...\n`);
  try {
    await run('python3', ['-m', 'venv', dir]);
  } catch (err) {
    throw new UserError(`'python3 -m venv' failed (${lastLine(err)}); on Debian: apt-get install python3-venv`);
  }
  try {
    await run(python, ['-m', 'pip', '--version']);
  } catch (err) {
    throw new UserError(`the venv at ${dir} has no pip (${lastLine(err)}); on Debian: apt-get install python3-venv python3-pip`);
  }
  try {
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...PYTHON_REQUIREMENTS], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    throw new UserError(`pip could not install ${PYTHON_REQUIREMENTS.join(' ')} (${lastLine(err)}); check that PyPI is reachable`);
  }
  const httpfsExtension = await findHttpfs(python);
  await installHttpfs(httpfsExtension);
  await writeFile(markerPath(), JSON.stringify({ python, httpfsExtension, requirements: PYTHON_REQUIREMENTS } satisfies Marker));
  return { python, httpfsExtension };
}
