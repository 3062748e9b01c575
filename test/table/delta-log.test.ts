import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { readParquet, Table as WasmTable, writeParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { commitKey, commitVersion, DeltaLogError, parseActions, serializeActions, type Action } from '../../src/table/delta/actions.js';
import { checkpointActions, checkpointTable } from '../../src/table/delta/checkpoint.js';
import { deltaFields, evolveSchema } from '../../src/table/delta/schema.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';
import { DeltaSnapshot } from '../../src/table/delta/snapshot.js';
import { fileStats } from '../../src/table/delta/stats.js';
import { parseSinkLocation, SinkPathError } from '../../src/table/location.js';

const protocol: Action = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const metaData: Action = {
  metaData: {
    id: 'id-1',
    format: { provider: 'parquet', options: {} },
    schemaString: JSON.stringify({ type: 'struct', fields: deltaFields({ columns: [{ name: 'size', type: 'string' }], partitionBy: [{ name: 'dt', type: 'date' }] }) }),
    partitionColumns: ['dt'],
    configuration: {},
    createdTime: 1,
  },
};
const add = (path: string, dt = '2026-11-20'): Action => ({ add: { path, partitionValues: { dt }, size: 10, modificationTime: 2, dataChange: true, stats: '{"numRecords":1}' } });

describe('Delta log actions', () => {
  it('names commit files by 20-digit version and reads the version back', () => {
    expect(commitKey(12)).toBe('_delta_log/00000000000000000012.json');
    expect(commitVersion(commitKey(12))).toBe(12);
    expect(commitVersion('_delta_log/00000000000000000010.checkpoint.parquet')).toBeUndefined();
  });

  it('writes one action per line and parses them back', () => {
    const actions = [protocol, metaData, add('a.parquet'), { txn: { appId: 'app', version: 5 } }];
    const text = serializeActions(actions);
    expect(text.trimEnd().split('\n')).toHaveLength(4);
    expect(parseActions(text, 'x')).toEqual(actions);
  });

  it('says which file and line hold a broken action', () => {
    expect(() => parseActions('{"txn":{}}\n{nope', 's3://b/t/_delta_log/3.json')).toThrow(DeltaLogError);
    expect(() => parseActions('{"txn":{}}\n{nope', 's3://b/t/_delta_log/3.json')).toThrow(/^s3:\/\/b\/t\/_delta_log\/3\.json:2: not a JSON action/);
  });
});

describe('DeltaSnapshot', () => {
  it('replays adds, removes and app transactions in version order', () => {
    const s = new DeltaSnapshot();
    s.apply(0, [protocol, metaData], 'v0');
    s.apply(1, [add('a.parquet'), add('b.parquet'), { txn: { appId: 'p0', version: 10 } }], 'v1');
    s.apply(2, [{ remove: { path: 'a.parquet', deletionTimestamp: 3, dataChange: false } }, add('c.parquet'), { txn: { appId: 'p0', version: 20 } }], 'v2');
    expect([...s.files.keys()]).toEqual(['b.parquet', 'c.parquet']);
    expect([...s.tombstones.keys()]).toEqual(['a.parquet']);
    expect(s.txns.get('p0')?.version).toBe(20);
    expect(s.version).toBe(2);
  });

  it('refuses a gap in versions and a table that needs a newer protocol', () => {
    const s = new DeltaSnapshot();
    expect(() => s.apply(1, [protocol], 'v1')).toThrow(DeltaLogError);
    expect(() => s.apply(0, [{ protocol: { minReaderVersion: 3, minWriterVersion: 7 } }], 'v0')).toThrow(/needs reader 3 \/ writer 7/);
  });
});

describe('Delta checkpoints', () => {
  it('hold every live action and read back from their Parquet unchanged', () => {
    const s = new DeltaSnapshot();
    s.apply(0, [protocol, metaData], 'v0');
    s.apply(1, [add('dt=2026-11-20/a.parquet'), { txn: { appId: 'gamepipe:j:t:0', version: 42, lastUpdated: 7 } }], 'v1');
    s.apply(2, [{ remove: { path: 'dt=2026-11-20/a.parquet', deletionTimestamp: 9, dataChange: false, partitionValues: { dt: '2026-11-20' }, size: 10 } }, add('dt=2026-11-20/b.parquet')], 'v2');
    const parquet = writeParquet(WasmTable.fromIPCStream(tableToIPC(checkpointTable(s.checkpointActions()), 'stream')));
    const back = checkpointActions(tableFromIPC(readParquet(parquet).intoIPCStream()), 'cp');
    const replayed = new DeltaSnapshot();
    replayed.apply(0, back, 'cp');
    expect(replayed.metaData).toEqual(s.metaData);
    expect(replayed.protocol).toEqual(s.protocol);
    expect([...replayed.txns.values()]).toEqual([...s.txns.values()]);
    expect([...replayed.files.values()]).toEqual([...s.files.values()].map((a) => ({ ...a, dataChange: false })));
    expect([...replayed.tombstones.keys()]).toEqual(['dt=2026-11-20/a.parquet']);
  });
});

describe('Delta schema evolution', () => {
  const current = deltaFields({ columns: [{ name: 'size', type: 'string' }, { name: 'quantity', type: 'int' }], partitionBy: [{ name: 'dt', type: 'date' }] });

  it('appends the columns a job adds, nullable', () => {
    const wanted = deltaFields({ columns: [{ name: 'size', type: 'string' }, { name: 'quantity', type: 'int' }, { name: 'speed', type: 'double' }], partitionBy: [{ name: 'dt', type: 'date' }] });
    expect(evolveSchema(current, wanted, 't')?.map((f) => `${f.name}:${f.type}:${f.nullable}`)).toEqual([
      'size:string:true',
      'quantity:integer:true',
      'dt:date:true',
      'speed:double:true',
    ]);
    expect(evolveSchema(current, current, 't')).toBeUndefined();
  });

  it('refuses a changed type, naming the table, the column and both types', () => {
    const wanted = deltaFields({ columns: [{ name: 'size', type: 'string' }, { name: 'quantity', type: 'string' }], partitionBy: [{ name: 'dt', type: 'date' }] });
    expect(() => evolveSchema(current, wanted, 's3://b/horses')).toThrow(SchemaChangeError);
    expect(() => evolveSchema(current, wanted, 's3://b/horses')).toThrow(
      "table s3://b/horses: column 'quantity' is integer in the table but string in the job; a Delta column's type cannot change (write to a new sink.path)",
    );
  });

  it('refuses widening integer to long, which only the typeWidening feature allows', () => {
    const wanted = deltaFields({ columns: [{ name: 'size', type: 'string' }, { name: 'quantity', type: 'long' }], partitionBy: [{ name: 'dt', type: 'date' }] });
    expect(() => evolveSchema(current, wanted, 't')).toThrow(
      "table t: column 'quantity' is integer in the table but long in the job; widening a Delta column needs the typeWidening table feature, which delta-rs cannot read (write to a new sink.path)",
    );
  });

  it('refuses a removed column, and names the likely new name of a renamed one', () => {
    const removed = deltaFields({ columns: [{ name: 'size', type: 'string' }], partitionBy: [{ name: 'dt', type: 'date' }] });
    expect(() => evolveSchema(current, removed, 't')).toThrow("table t: column 'quantity' is integer in the table but missing in the job; a column cannot be removed or renamed");
    const renamed = deltaFields({ columns: [{ name: 'size', type: 'string' }, { name: 'qty', type: 'int' }], partitionBy: [{ name: 'dt', type: 'date' }] });
    expect(() => evolveSchema(current, renamed, 't')).toThrow("column 'quantity' is integer in the table but missing (renamed to 'qty'?) in the job");
  });
});

describe('Delta file statistics', () => {
  it('counts rows and nulls and bounds numbers, times and dates', () => {
    const columns = [
      { name: 'size', type: 'string' },
      { name: 'n', type: 'long' },
      { name: 'ts', type: 'timestamp' },
      { name: 'd', type: 'date' },
      { name: 'x', type: 'double' },
    ] as const;
    const batch = new ColumnBatch(columns);
    batch.append(['a', 5n, Date.UTC(2026, 10, 20, 1), 20_000, 1.5]);
    batch.append([null, -2n, Date.UTC(2026, 10, 21, 2, 3, 4, 5), 20_001, null]);
    batch.append(['c', null, null, null, -0.5]);
    expect(fileStats(batch.toArrowTable(), columns)).toEqual({
      numRecords: 3,
      minValues: { n: -2, ts: '2026-11-20T01:00:00.000Z', d: '2024-10-04', x: -0.5 },
      maxValues: { n: 5, ts: '2026-11-21T02:03:04.005Z', d: '2024-10-05', x: 1.5 },
      nullCount: { size: 1, n: 1, ts: 1, d: 1, x: 1 },
    });
  });
});

describe('sink locations', () => {
  it('tells local folders from s3:// prefixes', () => {
    expect(parseSinkLocation('data/horses')).toEqual({ kind: 'local', path: 'data/horses' });
    expect(parseSinkLocation('s3://gamepipe/tables/horses/')).toEqual({ kind: 's3', bucket: 'gamepipe', prefix: 'tables/horses' });
  });

  it('says what is wrong with a bad s3:// path', () => {
    expect(() => parseSinkLocation('s3://gamepipe')).toThrow(SinkPathError);
    expect(() => parseSinkLocation('s3://gamepipe')).toThrow('give a prefix for the table inside the bucket (s3://gamepipe/<table>)');
    expect(() => parseSinkLocation('s3://Bad_Bucket/x')).toThrow("'Bad_Bucket' is not a valid S3 bucket name");
    expect(() => parseSinkLocation('gs://bucket/x')).toThrow('only local folders and s3://bucket/prefix are supported');
  });
});
