import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { produce } from '../support/events.js';
import { gamepipe, queryJson } from '../support/gamepipe-cli.js';
import { createTopic, suffix, uniqueTopic } from '../support/kafka.js';
import { parquetFiles, readTable } from '../support/parquet-read.js';
import { readWithDeltaRs, runPython } from '../support/delta-rs.js';
import { runOnce } from '../support/runner-process.js';
import { s3TablePath } from '../support/delta-jobs.js';

// A job partitioned by a field and the event day, [event_type, day(event_ts)], through the real
// runtime on a real topic, in both formats; read back by DuckDB (hive_partitioning), by
// `gamepipe query`, by delta-rs, and compacted one partition at a time.

const ESCAPED_TYPE = 'a/b:c=d%e';
const ESCAPED_FOLDER = 'a%2Fb%3Ac%3Dd%25e';

function partitionedJob(topic: string, format: 'parquet' | 'delta', partitionBy = '[event_type, day(event_ts)]', path = `out/${format}`): string {
  return `job: parts_${format}_${suffix(topic)}
source: { topic: ${topic} }
schema:
  event_id: string
  event_type: string
  event_ts: timestamp
  quantity: int
sink:
  path: ${path}
  format: ${format}
  partition_by: ${partitionBy}
trigger: 100ms
`;
}

const at = (day: number, hour: number) => new Date(Date.UTC(2026, 10, day, hour, 30)).toISOString();

/** Two rounds of events: the second adds files to partitions the first made, so compaction has work. */
function events(round: number): string[] {
  const id = (n: number) => `r${round}-${n}`;
  return [
    { event_id: id(1), event_type: 'purchase_horse', event_ts: at(22, 1), quantity: 1 },
    { event_id: id(2), event_type: 'purchase_horse', event_ts: at(22, 23), quantity: 2 },
    { event_id: id(3), event_type: 'purchase_horse', event_ts: at(23, 0), quantity: 3 },
    { event_id: id(4), event_type: ESCAPED_TYPE, event_ts: at(22, 5), quantity: 4 },
    { event_id: id(5), event_ts: at(22, 6), quantity: 5 },
    { event_id: id(6), event_type: 'purchase_sword', quantity: 6 },
  ].map((e) => JSON.stringify(e));
}

/** What each event of a round must read back as: its id, event_type and event day (YYYY-MM-DD or null). */
function expectedRows(rounds: number[]): [string, string | null, string | null][] {
  return rounds
    .flatMap((r): [string, string | null, string | null][] => [
      [`r${r}-1`, 'purchase_horse', '2026-11-22'],
      [`r${r}-2`, 'purchase_horse', '2026-11-22'],
      [`r${r}-3`, 'purchase_horse', '2026-11-23'],
      [`r${r}-4`, ESCAPED_TYPE, '2026-11-22'],
      [`r${r}-5`, null, '2026-11-22'],
      [`r${r}-6`, 'purchase_sword', null],
    ])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

const FOLDERS = [
  `event_type=${ESCAPED_FOLDER}/event_ts_day=2026-11-22`,
  'event_type=__HIVE_DEFAULT_PARTITION__/event_ts_day=2026-11-22',
  'event_type=purchase_horse/event_ts_day=2026-11-22',
  'event_type=purchase_horse/event_ts_day=2026-11-23',
  'event_type=purchase_sword/event_ts_day=__HIVE_DEFAULT_PARTITION__',
].sort();

/** The partition folders holding data files under `table`, relative to it (a Delta log's checkpoints left out). */
async function dataFolders(table: string): Promise<string[]> {
  const files = (await parquetFiles(table)).filter((f) => !f.includes('/_delta_log/'));
  return [...new Set(files.map((f) => f.slice(table.length + 1).split('/').slice(0, -1).join('/')))].sort();
}

function day(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);
}

describe('sink.partition_by through gamepipe-run --once', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function jobDir(topic: string, format: 'parquet' | 'delta', partitionBy?: string, path?: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `gamepipe-partition-${format}-`));
    dirs.push(dir);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'parts.job.yaml'), partitionedJob(topic, format, partitionBy, path));
    return dir;
  }

  async function runRound(dir: string, topic: string, round: number): Promise<void> {
    await produce(topic, events(round));
    const run = await runOnce(dir, 'jobs');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }

  it('parquet: Hive folders with escaped and null values, read back by DuckDB and gamepipe query, compacted per partition', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('partition-parquet');
    await createTopic(topic, 1);
    const dir = await jobDir(topic, 'parquet');
    const table = join(dir, 'out/parquet');
    const job = `parts_parquet_${suffix(topic)}`;
    await runRound(dir, topic, 1);
    await runRound(dir, topic, 2);

    expect(await dataFolders(table)).toEqual(FOLDERS);
    const rows = (await readTable(table)).map((r) => [r.event_id, r.event_type, day(r.event_ts_day)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(rows).toEqual(expectedRows([1, 2]));
    // The files keep the event's own columns: a reader without hive_partitioning still has event_type.
    const inFile = await queryJson(dir, 'jobs', `SELECT event_id, event_type, event_ts_day, typeof(event_ts_day) AS t FROM ${job} WHERE event_id = 'r1-4'`);
    expect(inFile).toEqual([{ event_id: 'r1-4', event_type: ESCAPED_TYPE, event_ts_day: '2026-11-22', t: 'DATE' }]);

    const horses = join(table, 'event_type=purchase_horse/event_ts_day=2026-11-22');
    expect((await readdir(horses)).filter((n) => n.endsWith('.parquet'))).toHaveLength(2);
    const compact = await gamepipe(dir, ['compact', job, '--jobs', 'jobs', '--min-files', '2']);
    expect(compact.stderr).toBe('');
    expect(compact.code).toBe(0);
    // Only the closed partitions with two files; the null day never closes.
    expect(compact.stdout.trim().split('\n').map((l) => l.split(':')[0]).sort()).toEqual(FOLDERS.filter((f) => !f.endsWith('__HIVE_DEFAULT_PARTITION__')));
    expect((await readdir(horses)).filter((n) => n.endsWith('.parquet'))).toHaveLength(1);
    expect(await dataFolders(table)).toEqual(FOLDERS);
    const after = (await readTable(table)).map((r) => [r.event_id, r.event_type, day(r.event_ts_day)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(after).toEqual(expectedRows([1, 2]));
  });

  it('delta: partition columns in the log and the folders, read back by delta-rs and gamepipe query, compacted per partition', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('partition-delta');
    await createTopic(topic, 1);
    const dir = await jobDir(topic, 'delta');
    const table = join(dir, 'out/delta');
    const job = `parts_delta_${suffix(topic)}`;
    await runRound(dir, topic, 1);
    await runRound(dir, topic, 2);

    const log = await readLog(table);
    expect(log.metaData.partitionColumns).toEqual(['event_type', 'event_ts_day']);
    expect(JSON.parse(log.metaData.schemaString).fields.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([
      ['event_id', 'string'],
      ['event_type', 'string'],
      ['event_ts', 'timestamp'],
      ['quantity', 'integer'],
      ['event_ts_day', 'date'],
    ]);
    const escaped = log.adds.filter((a) => a.partitionValues.event_type === ESCAPED_TYPE);
    expect(escaped).toHaveLength(2);
    for (const add of escaped) {
      expect(add.partitionValues).toEqual({ event_type: ESCAPED_TYPE, event_ts_day: '2026-11-22' });
      expect(add.path.startsWith(`event_type=${ESCAPED_FOLDER.replaceAll('%', '%25')}/event_ts_day=2026-11-22/`)).toBe(true);
    }
    expect(log.adds.filter((a) => a.partitionValues.event_type === null).map((a) => a.partitionValues)).toEqual([
      { event_type: null, event_ts_day: '2026-11-22' },
      { event_type: null, event_ts_day: '2026-11-22' },
    ]);
    expect(await dataFolders(table)).toEqual(FOLDERS);

    const read = await readWithDeltaRs(table, ['event_id', 'event_type', 'event_ts_day']);
    expect(read.schema).toContainEqual(['event_ts_day', 'PrimitiveType("date")']);
    const rows = read.values.event_id!.map((id, i) => [id, read.values.event_type![i], day(read.values.event_ts_day![i])]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(rows).toEqual(expectedRows([1, 2]));
    // delta-rs prunes by the partition values in the log.
    const pruned = JSON.parse(await runPython(PRUNED, [table])) as { files: number; rows: string[] };
    expect(pruned).toEqual({ files: 2, rows: ['r1-4', 'r2-4'] });
    const queried = await queryJson(dir, 'jobs', `SELECT event_id, event_type, event_ts_day FROM ${job} ORDER BY event_id`);
    expect(queried.map((r) => [r.event_id, r.event_type, r.event_ts_day])).toEqual(expectedRows([1, 2]));

    const compact = await gamepipe(dir, ['compact', job, '--jobs', 'jobs', '--min-files', '2']);
    expect(compact.stderr).toBe('');
    expect(compact.code).toBe(0);
    expect(compact.stdout.trim().split('\n').map((l) => l.split(':')[0]).sort()).toEqual(FOLDERS.filter((f) => !f.endsWith('__HIVE_DEFAULT_PARTITION__')));
    const compacted = await readWithDeltaRs(table, ['event_id', 'event_type', 'event_ts_day']);
    expect(compacted.files).toBe(read.files - 4);
    const after = compacted.values.event_id!.map((id, i) => [id, compacted.values.event_type![i], day(compacted.values.event_ts_day![i])]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(after).toEqual(expectedRows([1, 2]));
  });

  it('delta on s3://: escaped and null partitions read back by delta-rs and gamepipe query, and compacted', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('partition-delta-s3');
    await createTopic(topic, 1);
    const table = s3TablePath('parts');
    const dir = await jobDir(topic, 'delta', undefined, table);
    const job = `parts_delta_${suffix(topic)}`;
    await runRound(dir, topic, 1);
    await runRound(dir, topic, 2);
    const read = await readWithDeltaRs(table, ['event_id', 'event_type', 'event_ts_day']);
    const rows = read.values.event_id!.map((id, i) => [id, read.values.event_type![i], day(read.values.event_ts_day![i])]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(rows).toEqual(expectedRows([1, 2]));
    const queried = await queryJson(dir, 'jobs', `SELECT event_id, event_type, event_ts_day FROM ${job} ORDER BY event_id`);
    expect(queried.map((r) => [r.event_id, r.event_type, r.event_ts_day])).toEqual(expectedRows([1, 2]));
    const compact = await gamepipe(dir, ['compact', job, '--jobs', 'jobs', '--min-files', '2']);
    expect(compact.stderr).toBe('');
    expect(compact.code).toBe(0);
    const compacted = await readWithDeltaRs(table, ['event_id']);
    expect(compacted.files).toBe(read.files - 4);
    expect(compacted.values.event_id!.slice().sort()).toEqual(expectedRows([1, 2]).map((r) => r[0]));
  });

  it('stops a job whose batch would write more than 1000 partitions with one line, and loses nothing', { timeout: 180_000 }, async () => {
    const topic = uniqueTopic('partition-limit');
    await createTopic(topic, 1);
    const dir = await jobDir(topic, 'parquet', '[quantity]');
    const job = `parts_parquet_${suffix(topic)}`;
    await produce(topic, Array.from({ length: 1002 }, (_, i) => JSON.stringify({ event_id: `e${i}`, event_type: 'x', quantity: i })));
    const run = await runOnce(dir, 'jobs');
    expect(run.code).not.toBe(0);
    const line = `job ${job}: a batch of ${topic}/0 would write 1001 partitions, more than the 1000 allowed; stopped at offset 1000 with nothing from it on written: partition_by [quantity] splits the data too finely`;
    expect(run.stderr).toContain(line);
    // What came before the record is committed; it and what follows wait for a fixed partition_by.
    const rows = await readTable(join(dir, 'out/parquet'));
    expect(rows.length).toBe(1000);
    const checkpoint = JSON.parse(await readFile(join(dir, 'out/parquet/_gamepipe/checkpoints', `${topic}-0.json`), 'utf8')) as { next: string };
    expect(Number(checkpoint.next)).toBe(1000);
  });
});

/** The live add actions and the last metaData of a local Delta table, read from its JSON log. */
async function readLog(table: string): Promise<{ metaData: { partitionColumns: string[]; schemaString: string }; adds: { path: string; partitionValues: Record<string, string | null> }[] }> {
  const names = (await readdir(join(table, '_delta_log'))).filter((n) => /^\d{20}\.json$/.test(n)).sort();
  let metaData: { partitionColumns: string[]; schemaString: string } | undefined;
  const adds = new Map<string, { path: string; partitionValues: Record<string, string | null> }>();
  for (const name of names) {
    for (const line of (await readFile(join(table, '_delta_log', name), 'utf8')).split('\n').filter(Boolean)) {
      const action = JSON.parse(line);
      if (action.metaData) metaData = action.metaData;
      if (action.add) adds.set(action.add.path, action.add);
      if (action.remove) adds.delete(action.remove.path);
    }
  }
  return { metaData: metaData!, adds: [...adds.values()] };
}

// delta-rs's own partition pruning: only the files of the escaped value's partition are read.
const PRUNED = `
import json, sys
from deltalake import DeltaTable
t = DeltaTable(sys.argv[1])
files = t.file_uris(partition_filters=[('event_type', '=', ${JSON.stringify(ESCAPED_TYPE)})])
rows = t.to_pyarrow_table(partitions=[('event_type', '=', ${JSON.stringify(ESCAPED_TYPE)})], columns=['event_id']).column('event_id').to_pylist()
print(json.dumps({'files': len(files), 'rows': sorted(rows)}))
`;
