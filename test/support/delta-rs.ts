import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

// delta-rs (the Python `deltalake` package) as the independent reader of gamepipe's Delta tables.
const SCRIPT = `
import json, os, sys
from deltalake import DeltaTable
uri, columns = sys.argv[1], [c for c in sys.argv[2].split(',') if c]
options = {}
if uri.startswith('s3://'):
    endpoint = os.environ.get('AWS_ENDPOINT_URL', '')
    options = {k: v for k, v in {
        'AWS_ENDPOINT_URL': endpoint,
        'AWS_ACCESS_KEY_ID': os.environ.get('AWS_ACCESS_KEY_ID'),
        'AWS_SECRET_ACCESS_KEY': os.environ.get('AWS_SECRET_ACCESS_KEY'),
        'AWS_REGION': os.environ.get('AWS_REGION', 'us-east-1'),
        'AWS_ALLOW_HTTP': 'true' if endpoint.startswith('http://') else None,
    }.items() if v}
table = DeltaTable(uri, storage_options=options)
data = table.to_pyarrow_table(columns=columns or None)
print(json.dumps({
    'version': table.version(),
    'rows': data.num_rows,
    'schema': [[f.name, str(f.type)] for f in table.schema().fields],
    'files': len(table.file_uris()),
    'values': {c: data.column(c).to_pylist() for c in columns},
}, default=str))
`;

// deltalake 1.6 with pyarrow sometimes aborts in a C++ destructor at interpreter exit ("terminate
// called without an active exception"), after its work is done: leave without running destructors.
const EPILOGUE = '\nimport os as _os, sys as _sys\n_sys.stdout.flush()\n_os._exit(0)\n';

/** Runs a Python script with the project's venv python (GAMEPIPE_PYTHON) and returns its stdout. */
export async function runPython(script: string, args: string[] = []): Promise<string> {
  const python = process.env.GAMEPIPE_PYTHON ?? 'python3';
  const { stdout } = await exec(python, ['-c', script + EPILOGUE, ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

export interface DeltaRsRead {
  version: number;
  rows: number;
  schema: [string, string][];
  files: number;
  /** The asked-for columns' values, in table order. */
  values: Record<string, unknown[]>;
}

/** Reads the Delta table at `uri` (a path or an s3:// URL) with delta-rs. */
export async function readWithDeltaRs(uri: string, columns: string[] = []): Promise<DeltaRsRead> {
  return JSON.parse(await runPython(SCRIPT, [uri, columns.join(',')])) as DeltaRsRead;
}
