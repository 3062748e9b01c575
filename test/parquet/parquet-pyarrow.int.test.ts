import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParquetEncoder } from '../../src/parquet/parquet-encoder.js';
import { runPython } from '../support/delta-rs.js';
import { batchOf, COLUMNS, ROWS } from './write-plan-fixture.js';

// pyarrow is the reader behind delta-rs and most Python tools; the integration setup provides it
// (GAMEPIPE_PYTHON), which is why this lives apart from the unit tests of the write plan.
describe('the default encoder with its write plan, read by pyarrow', () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gamepipe-plan-pyarrow-'));
    path = join(dir, 'events.parquet');
    writeFileSync(path, await defaultParquetEncoder({}).encode(batchOf(ROWS).toArrowTable()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes files pyarrow reads back value for value', async () => {
    const script = `
import json, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
out = {}
for name in t.column_names:
    c, kind = t.column(name), str(t.column(name).type)
    if kind.startswith('timestamp'): c = c.cast('int64')
    if kind.startswith('date'): c = c.cast('int32')
    # 64-bit integers as text: JSON numbers stop being exact past 2**53.
    out[name] = [None if v is None else str(v) for v in c.to_pylist()] if kind == 'int64' else c.to_pylist()
print(json.dumps(out, default=str))
`;
    const columns = JSON.parse(await runPython(script, [path])) as Record<string, unknown[]>;
    const expected = (i: number) => ROWS.map((row) => (typeof row[i] === 'bigint' ? String(row[i]) : row[i]));
    COLUMNS.forEach(({ name }, i) => expect(columns[name], name).toEqual(expected(i)));
  });
});
