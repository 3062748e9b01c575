import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { committedFiles } from '../../src/table/folder/folder-store.js';
import { formatCsv, formatTable } from '../../src/query/result-format.js';
import { TableCommitter } from '../../src/table/folder/commit-protocol.js';
import { tableLayout } from '../../src/table/folder/layout.js';
import { commitBatches } from '../support/committed-table.js';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';

const JOB = (name: string, partitioned: boolean) => `job: ${name}
source: { topic: fixture-${name} }
schema:
  event_id: string
  quantity: int
sink:
  path: data/${name}
${partitioned ? '  partition_by: [dt]\n' : ''}`;

describe('gamepipe query and tables', () => {
  let dir: string;
  let ids: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-query-'));
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'orders.job.yaml'), JOB('orders', true));
    await writeFile(join(dir, 'jobs', 'empty_one.job.yaml'), JOB('empty_one', false));
    const layout = tableLayout(join(dir, 'data/orders'));
    const committer = new TableCommitter(layout);
    await committer.open();
    ids = [...(await commitBatches(committer, layout, 'dt=2026-11-20', 2, 3)), ...(await commitBatches(committer, layout, 'dt=2026-11-21', 1, 4, 'fixture', 6))];
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers SQL over a view per job, with the dt partition as a column, in JSON', async () => {
    const rows = await queryJson(dir, 'jobs', 'SELECT dt::VARCHAR AS dt, count(*) AS n, count(DISTINCT event_id) AS ids FROM orders GROUP BY dt ORDER BY dt');
    expect(rows).toEqual([
      { dt: '2026-11-20', n: 6, ids: 6 },
      { dt: '2026-11-21', n: 4, ids: 4 },
    ]);
    expect(rows.reduce((s, r) => s + (r.n as number), 0)).toBe(ids.length);
  });

  it('gives tables without files a view with the job columns, and dead letters a <job>_rejected view', async () => {
    const rows = await queryJson(dir, 'jobs', 'SELECT (SELECT count(*) FROM empty_one) AS e, (SELECT count(*) FROM orders_rejected) AS r');
    expect(rows).toEqual([{ e: 0, r: 0 }]);
    const cols = await queryJson(dir, 'jobs', "SELECT column_name FROM (DESCRIBE SELECT * FROM empty_one) ORDER BY column_name");
    expect(cols.map((c) => c.column_name)).toEqual(['event_id', 'quantity']);
  });

  it('prints an aligned table by default and CSV with --csv', async () => {
    const table = await gamepipe(dir, ['query', '--jobs', 'jobs', "SELECT 'a' AS name, 12 AS n UNION ALL SELECT 'long name', 3 ORDER BY n"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(0, 4)).toEqual(['name        n', '---------  --', 'long name   3', 'a          12']);
    const csv = await gamepipe(dir, ['query', '--jobs', 'jobs', '--csv', "SELECT 'x,y' AS a, NULL AS b"]);
    expect(csv.stdout.trim()).toBe('a,b\n"x,y",');
  });

  it('reads SQL from stdin when none is given and stdin is not a terminal', async () => {
    const out = await gamepipe(dir, ['query', '--jobs', 'jobs', '--json'], { input: 'SELECT count(*) AS n FROM orders\n' });
    expect(JSON.parse(out.stdout)).toEqual([{ n: ids.length }]);
  });

  it('reports SQL errors as DuckDB says them, in one line, exit 1', async () => {
    const out = await gamepipe(dir, ['query', '--jobs', 'jobs', 'SELECT nope FROM orders']);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^gamepipe query: Binder Error: .*nope/);
  });

  it('lists tables with rows, files and bytes', async () => {
    const out = await gamepipe(dir, ['tables', '--jobs', 'jobs', '--json']);
    const files = await committedFiles(join(dir, 'data/orders'));
    expect(JSON.parse(out.stdout)).toEqual([
      { table: 'empty_one', rows: 0, files: 0, bytes: 0 },
      { table: 'empty_one_rejected', rows: 0, files: 0, bytes: 0 },
      { table: 'orders', rows: ids.length, files: files.length, bytes: files.reduce((s, f) => s + f.bytes, 0) },
      { table: 'orders_rejected', rows: 0, files: 0, bytes: 0 },
    ]);
    expect(files).toHaveLength(3);
  });
});

describe('result formats', () => {
  const result = { columns: ['k', 'v'], types: ['VARCHAR', 'BIGINT'], text: [['a', '1'], [null, '100']], json: [['a', '1'], [null, '100']] };

  it('right-aligns numbers and shows NULL', () => {
    expect(formatTable(result).split('\n')).toEqual(['k       v', '----  ---', 'a       1', 'NULL  100', '(2 rows)']);
  });

  it('quotes CSV fields that need it and leaves NULL empty', () => {
    expect(formatCsv({ ...result, text: [['a"b', '1'], [null, '2']] })).toBe('k,v\n"a""b",1\n,2');
  });
});
