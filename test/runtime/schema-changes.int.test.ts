import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';
import { readWithDeltaRs } from '../support/delta-rs.js';
import { produce } from '../support/events.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { runOnce } from '../support/runner-process.js';

/** A job file of `topic` writing `schema` (YAML lines under `schema:`) to `path` in `format`, in dt folders when `byDay`. */
function jobText(topic: string, path: string, format: 'parquet' | 'delta', schema: string[], byDay: boolean): string {
  return `job: evolve_${format}_${suffix(topic)}
source: { topic: ${topic} }
schema:
${schema.map((line) => `  ${line}`).join('\n')}
sink:
  path: ${path}
  format: ${format}${byDay ? '\n  partition_by: [dt]' : ''}
trigger: 100ms
`;
}

/** A folder with a job file, and a way to change the file and run it to the end of its topic. */
async function jobFolder(format: 'parquet' | 'delta', byDay = false) {
  const dir = await mkdtemp(join(tmpdir(), `gamepipe-evolve-${format}-`));
  const topic = uniqueTopic(`evolve-${format}`);
  await createTopic(topic, 1);
  await mkdir(join(dir, 'jobs'));
  const table = join(dir, 'out', 'events');
  const name = `evolve_${format}_${suffix(topic)}`;
  return {
    dir,
    topic,
    table,
    name,
    /** Writes the job with `schema`. */
    async write(schema: string[]) {
      await writeFile(join(dir, 'jobs', 'evolve.job.yaml'), jobText(topic, table, format, schema, byDay));
    },
    /** Writes the job with `schema`, then runs it with --once. */
    async run(schema: string[]) {
      await this.write(schema);
      return runOnce(dir, 'jobs');
    },
  };
}

const BASE = ['event_id: string', 'quantity: int'];

/** Nested columns: a struct, a struct in a struct, a list of structs and a map of structs. */
const NESTED = [
  'event_id: string',
  'item: { type: { struct: { name: string, price: double } } }',
  'purchase: { type: { struct: { id: long, item: { struct: { sku: string } } } } }',
  'items: { type: { list: { struct: { sku: string } } } }',
  'by_region: { type: { map: { struct: { n: int } } } }',
];
/**
 * NESTED with a field added to each struct: at depth 1 (before the others: the table keeps it
 * last, the files in job order), at depth 2, in a list element, in a map value.
 */
const NESTED_ADDED = [
  'event_id: string',
  'item: { type: { struct: { color: string, name: string, price: double } } }',
  'purchase: { type: { struct: { id: long, item: { struct: { sku: string, qty: int } } } } }',
  'items: { type: { list: { struct: { sku: string, qty: int } } } }',
  'by_region: { type: { map: { struct: { n: int, note: string } } } }',
];

/** An event of the nested job; `extra` fills the fields NESTED_ADDED adds. */
function nestedEvent(id: string, extra?: { color: string; qty: number; note: string }): string {
  return JSON.stringify({
    event_id: id,
    item: { name: `n-${id}`, price: 1.5, color: extra?.color },
    purchase: { id: 7, item: { sku: `s-${id}`, qty: extra?.qty } },
    items: [{ sku: `l-${id}`, qty: extra?.qty }],
    by_region: { eu: { n: 1, note: extra?.note } },
  });
}

/** What DuckDB reads of the nested job's fields, one row per event in event_id order. */
const NESTED_SQL = (table: string) =>
  `SELECT event_id, item.name AS name, item.color AS color, purchase.item.sku AS sku, purchase.item.qty AS qty, items[1].qty AS list_qty, by_region['eu'].note AS note FROM ${table} ORDER BY event_id`;
const NESTED_ROWS = [
  { event_id: 'e1', name: 'n-e1', color: null, sku: 's-e1', qty: null, list_qty: null, note: null },
  { event_id: 'e2', name: 'n-e2', color: 'red', sku: 's-e2', qty: 3, list_qty: 3, note: 'fast' },
];

/**
 * Runs the nested job twice, the second time with a field added to each struct, then tries a
 * removed and a retyped nested field; returns the job to read its table.
 */
async function evolveNested(format: 'parquet' | 'delta') {
  // In dt folders, so that `gamepipe compact` merges the two runs' files.
  const job = await jobFolder(format, true);
  await produce(job.topic, [nestedEvent('e1')]);
  expect(await job.run(NESTED)).toMatchObject({ code: 0, stderr: '' });
  await produce(job.topic, [nestedEvent('e2', { color: 'red', qty: 3, note: 'fast' })]);
  expect(await job.run(NESTED_ADDED)).toMatchObject({ code: 0, stderr: '' });

  const removed = await job.run(NESTED_ADDED.map((line) => line.replace(', price: double', '')));
  expect(removed.code).toBe(1);
  expect(removed.stderr.trim()).toBe(
    `gamepipe run: job ${job.name} failed: table ${job.table}: column 'item.price' is double in the table but missing in the job; a field of a struct cannot be removed or renamed: keep it in schema:, or write to a new sink.path`,
  );
  // A folder widens a nested int to long (tested below), Delta does not; neither turns it into a string.
  const [to, table, reason] =
    format === 'delta'
      ? ['long', 'integer', 'widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)']
      : ['string', 'int', 'a Parquet folder widens int to long or double only (write to a new sink.path)'];
  const retyped = await job.run(NESTED_ADDED.map((line) => line.replace('{ n: int,', `{ n: ${to},`)));
  expect(retyped.code).toBe(1);
  expect(retyped.stderr.trim()).toBe(`gamepipe run: job ${job.name} failed: table ${job.table}: column 'by_region{}.n' is ${table} in the table but ${to} in the job; ${reason}`);
  await job.write(NESTED_ADDED);
  return job;
}

/** Compacts the nested job's two files (older ones without the added fields) into one. */
async function compactNested(job: { dir: string; name: string }) {
  const out = await gamepipe(job.dir, ['compact', job.name, '--jobs', 'jobs', '--include-today']);
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toMatch(/2 files .* -> 1 file/);
}
const ADDED = [...BASE, 'size: string'];
const WIDENED = ['event_id: string', 'quantity: long', 'size: string'];

/** Two runs: e1 and e2 under BASE, then e3 under ADDED (one column more); both exit 0. */
async function runThenAddColumn(job: { topic: string; run(schema: string[]): Promise<{ code: number; stderr: string }> }): Promise<void> {
  await produce(job.topic, [
    { event_id: 'e1', quantity: '1' },
    { event_id: 'e2', quantity: '2' },
  ]);
  expect(await job.run(BASE)).toMatchObject({ code: 0, stderr: '' });
  await produce(job.topic, [{ event_id: 'e3', quantity: '3', size: 'large' }]);
  expect(await job.run(ADDED)).toMatchObject({ code: 0, stderr: '' });
}

describe('schema changes between runs of a job, through gamepipe-run --once', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('a Parquet folder takes an added column, then int widened to long, and gamepipe query reads every file as one table', { timeout: 180_000 }, async () => {
    const job = await jobFolder('parquet');
    dirs.push(job.dir);
    await runThenAddColumn(job);
    await produce(job.topic, [{ event_id: 'e4', quantity: '3000000000', size: 'small' }]);
    expect(await job.run(WIDENED)).toMatchObject({ code: 0, stderr: '' });

    const rows = await queryJson(job.dir, 'jobs', `SELECT event_id, quantity::VARCHAR AS quantity, typeof(quantity) AS type, size FROM ${job.name} ORDER BY event_id`);
    expect(rows).toEqual([
      { event_id: 'e1', quantity: '1', type: 'BIGINT', size: null },
      { event_id: 'e2', quantity: '2', type: 'BIGINT', size: null },
      { event_id: 'e3', quantity: '3', type: 'BIGINT', size: 'large' },
      { event_id: 'e4', quantity: '3000000000', type: 'BIGINT', size: 'small' },
    ]);

    // Back to int is a narrowing; dropping `size` removes a column: both refused before writing.
    await produce(job.topic, [{ event_id: 'e5', quantity: '5', size: 'large' }]);
    const narrowed = await job.run(ADDED);
    expect(narrowed.code).toBe(1);
    expect(narrowed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'quantity' is long in the table but int in the job; a Parquet folder widens int to long or double only (write to a new sink.path)`,
    );
    const removed = await job.run(['event_id: string', 'quantity: long']);
    expect(removed.code).toBe(1);
    expect(removed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'size' is string in the table but missing in the job; a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path`,
    );
    expect((await queryJson(job.dir, 'jobs', `SELECT count(*) AS n FROM ${job.name}`))[0]).toEqual({ n: 4 });
  });

  it('a Delta table takes an added column that delta-rs and DuckDB read as null in older files, and refuses widening and removal in one line', { timeout: 180_000 }, async () => {
    const job = await jobFolder('delta');
    dirs.push(job.dir);
    await runThenAddColumn(job);

    const read = await readWithDeltaRs(job.table, ['event_id', 'quantity', 'size']);
    expect(read.schema).toEqual([
      ['event_id', 'PrimitiveType("string")'],
      ['quantity', 'PrimitiveType("integer")'],
      ['size', 'PrimitiveType("string")'],
    ]);
    const byId = (r: typeof read) => r.values.event_id!.map((id, i) => [id, Number(r.values.quantity![i]), r.values.size![i]]).sort();
    expect(byId(read)).toEqual([
      ['e1', 1, null],
      ['e2', 2, null],
      ['e3', 3, 'large'],
    ]);
    expect(await queryJson(job.dir, 'jobs', `SELECT event_id, quantity, size FROM ${job.name} ORDER BY event_id`)).toEqual([
      { event_id: 'e1', quantity: 1, size: null },
      { event_id: 'e2', quantity: 2, size: null },
      { event_id: 'e3', quantity: 3, size: 'large' },
    ]);

    await produce(job.topic, [{ event_id: 'e4', quantity: '3000000000', size: 'small' }]);
    const widened = await job.run(WIDENED);
    expect(widened.code).toBe(1);
    expect(widened.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'quantity' is integer in the table but long in the job; widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)`,
    );
    const removed = await job.run(['event_id: string', 'quantity: int']);
    expect(removed.code).toBe(1);
    expect(removed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'size' is string in the table but missing in the job; a column cannot be removed or renamed: keep it in schema:, or write to a new sink.path`,
    );
    // Nothing was written by the refused runs.
    expect((await readWithDeltaRs(job.table)).version).toBe(read.version);
  });

  it('a Parquet folder takes fields added to structs at any depth, read by gamepipe query as null in older files, before and after compaction', { timeout: 180_000 }, async () => {
    const job = await evolveNested('parquet');
    dirs.push(job.dir);
    expect(await queryJson(job.dir, 'jobs', NESTED_SQL(job.name))).toEqual(NESTED_ROWS);
    await compactNested(job);
    expect(await queryJson(job.dir, 'jobs', NESTED_SQL(job.name))).toEqual(NESTED_ROWS);
  });

  it('a Parquet folder widens a struct field from int to long, and gamepipe query reads the older files as long', { timeout: 180_000 }, async () => {
    const job = await jobFolder('parquet');
    dirs.push(job.dir);
    await produce(job.topic, [JSON.stringify({ event_id: 'e1', item: { name: 'a', qty: 1 } })]);
    expect(await job.run(['event_id: string', 'item: { type: { struct: { name: string, qty: int } } }'])).toMatchObject({ code: 0, stderr: '' });
    await produce(job.topic, [JSON.stringify({ event_id: 'e2', item: { name: 'b', qty: 3000000000 } })]);
    const wide = ['event_id: string', 'item: { type: { struct: { name: string, qty: long } } }'];
    expect(await job.run(wide)).toMatchObject({ code: 0, stderr: '' });

    const sql = `SELECT event_id, item.name AS name, item.qty::VARCHAR AS qty, typeof(item.qty) AS type FROM ${job.name} ORDER BY event_id`;
    expect(await queryJson(job.dir, 'jobs', sql)).toEqual([
      { event_id: 'e1', name: 'a', qty: '1', type: 'BIGINT' },
      { event_id: 'e2', name: 'b', qty: '3000000000', type: 'BIGINT' },
    ]);
    // The table's field is long from then on: back to int is a narrowing, refused before writing.
    const narrowed = await job.run(['event_id: string', 'item: { type: { struct: { name: string, qty: int } } }']);
    expect(narrowed.code).toBe(1);
    expect(narrowed.stderr.trim()).toBe(
      `gamepipe run: job ${job.name} failed: table ${job.table}: column 'item.qty' is long in the table but int in the job; a Parquet folder widens int to long or double only (write to a new sink.path)`,
    );
  });

  it('a Delta table takes fields added to structs at any depth, read by delta-rs and DuckDB as null in older files, before and after compaction', { timeout: 180_000 }, async () => {
    const job = await evolveNested('delta');
    dirs.push(job.dir);
    expect(await queryJson(job.dir, 'jobs', NESTED_SQL(job.name))).toEqual(NESTED_ROWS);

    const deltaRsRows = async () => {
      const read = await readWithDeltaRs(job.table, ['event_id', 'item', 'purchase', 'items', 'by_region']);
      const rows = read.values.event_id!.map((id, i) => ({
        event_id: id,
        item: read.values.item![i],
        purchase: read.values.purchase![i],
        items: read.values.items![i],
        by_region: read.values.by_region![i],
      }));
      return rows.sort((a, b) => String(a.event_id).localeCompare(String(b.event_id)));
    };
    const expected = [
      { event_id: 'e1', item: { name: 'n-e1', price: 1.5, color: null }, purchase: { id: 7, item: { sku: 's-e1', qty: null } }, items: [{ sku: 'l-e1', qty: null }], by_region: [['eu', { n: 1, note: null }]] },
      { event_id: 'e2', item: { name: 'n-e2', price: 1.5, color: 'red' }, purchase: { id: 7, item: { sku: 's-e2', qty: 3 } }, items: [{ sku: 'l-e2', qty: 3 }], by_region: [['eu', { n: 1, note: 'fast' }]] },
    ];
    expect(await deltaRsRows()).toEqual(expected);
    await compactNested(job);
    expect(await deltaRsRows()).toEqual(expected);
    expect(await queryJson(job.dir, 'jobs', NESTED_SQL(job.name))).toEqual(NESTED_ROWS);
  });
});
