import * as arrow from 'apache-arrow';
import type { Action } from './actions.js';
import { DeltaLogError } from './actions.js';

// A Delta checkpoint is a Parquet file with one row per action and one struct column per action
// kind (PROTOCOL.md, "Checkpoint Schema"); each row fills exactly one of them.

const str = () => new arrow.Utf8();
const i64 = () => new arrow.Int64();
const i32 = () => new arrow.Int32();
const bool = () => new arrow.Bool();
const field = <T extends arrow.DataType>(name: string, type: T, nullable = true) => new arrow.Field(name, type, nullable);
const stringMap = () =>
  new arrow.Map_(field('key_value', new arrow.Struct<{ key: arrow.Utf8; value: arrow.Utf8 }>([field('key', str(), false), field('value', str(), true)]), false));

const CHECKPOINT_TYPE = new arrow.Struct([
  field('txn', new arrow.Struct([field('appId', str()), field('version', i64()), field('lastUpdated', i64())])),
  field(
    'add',
    new arrow.Struct([
      field('path', str()),
      field('partitionValues', stringMap()),
      field('size', i64()),
      field('modificationTime', i64()),
      field('dataChange', bool()),
      field('stats', str()),
    ]),
  ),
  field(
    'remove',
    new arrow.Struct([
      field('path', str()),
      field('deletionTimestamp', i64()),
      field('dataChange', bool()),
      field('extendedFileMetadata', bool()),
      field('partitionValues', stringMap()),
      field('size', i64()),
    ]),
  ),
  field(
    'metaData',
    new arrow.Struct([
      field('id', str()),
      field('name', str()),
      field('description', str()),
      field('format', new arrow.Struct([field('provider', str()), field('options', stringMap())])),
      field('schemaString', str()),
      field('partitionColumns', new arrow.List(field('element', str()))),
      field('configuration', stringMap()),
      field('createdTime', i64()),
    ]),
  ),
  field('protocol', new arrow.Struct([field('minReaderVersion', i32()), field('minWriterVersion', i32())])),
]);

const big = (n: number | undefined) => (n === undefined ? null : BigInt(n));
const toMap = (o: Record<string, string | null> | undefined) => (o ? new Map(Object.entries(o)) : null);

/** One checkpoint row: the action's struct filled in, every other column null. */
function row(action: Action): Record<string, unknown> {
  const out: Record<string, unknown> = { txn: null, add: null, remove: null, metaData: null, protocol: null };
  if ('txn' in action) out.txn = { ...action.txn, version: big(action.txn.version), lastUpdated: big(action.txn.lastUpdated) };
  else if ('add' in action) {
    const a = action.add;
    out.add = { ...a, stats: a.stats ?? null, partitionValues: toMap(a.partitionValues), size: big(a.size), modificationTime: big(a.modificationTime) };
  } else if ('remove' in action) {
    const r = action.remove;
    out.remove = {
      path: r.path,
      deletionTimestamp: big(r.deletionTimestamp),
      dataChange: r.dataChange,
      extendedFileMetadata: r.extendedFileMetadata ?? null,
      partitionValues: toMap(r.partitionValues),
      size: big(r.size),
    };
  } else if ('metaData' in action) {
    const m = action.metaData;
    out.metaData = {
      id: m.id,
      name: m.name ?? null,
      description: null,
      format: { provider: m.format.provider, options: toMap(m.format.options) },
      schemaString: m.schemaString,
      partitionColumns: m.partitionColumns,
      configuration: toMap(m.configuration),
      createdTime: big(m.createdTime),
    };
  } else if ('protocol' in action) out.protocol = action.protocol;
  return out;
}

/** The checkpoint's rows as an Arrow table, ready for the Parquet encoder. Pure. */
export function checkpointTable(actions: Action[]): arrow.Table {
  const vector = arrow.vectorFromArray(actions.map(row), CHECKPOINT_TYPE);
  return new arrow.Table(new arrow.RecordBatch(new arrow.Schema(CHECKPOINT_TYPE.children), vector.data[0]!));
}

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
const fromMap = (v: unknown): Record<string, string | null> => {
  if (v === null || v === undefined) return {};
  const out: Record<string, string | null> = {};
  for (const [k, val] of v as Iterable<[string, string | null]>) out[k] = val;
  return out;
};

/** The actions of a checkpoint file's rows (as read back from its Parquet). */
export function checkpointActions(table: arrow.Table, where: string): Action[] {
  const actions: Action[] = [];
  for (const r of table) {
    const o = r.toJSON() as Record<string, Record<string, unknown> | null>;
    if (o.txn) actions.push({ txn: { appId: String(o.txn.appId), version: num(o.txn.version)!, lastUpdated: num(o.txn.lastUpdated) } });
    else if (o.add) {
      const a = o.add;
      actions.push({
        add: {
          path: String(a.path),
          partitionValues: fromMap(a.partitionValues),
          size: num(a.size)!,
          modificationTime: num(a.modificationTime)!,
          dataChange: Boolean(a.dataChange),
          ...(a.stats ? { stats: String(a.stats) } : {}),
        },
      });
    } else if (o.remove) {
      const d = o.remove;
      actions.push({ remove: { path: String(d.path), deletionTimestamp: num(d.deletionTimestamp) ?? 0, dataChange: false, partitionValues: fromMap(d.partitionValues), size: num(d.size) } });
    } else if (o.metaData) {
      const m = o.metaData;
      const format = m.format as { provider: string; options: unknown } | null;
      actions.push({
        metaData: {
          id: String(m.id),
          ...(m.name ? { name: String(m.name) } : {}),
          format: { provider: 'parquet', options: fromMap(format?.options) as Record<string, string> },
          schemaString: String(m.schemaString),
          partitionColumns: [...((m.partitionColumns as Iterable<string> | null) ?? [])],
          configuration: fromMap(m.configuration) as Record<string, string>,
          createdTime: num(m.createdTime) ?? 0,
        },
      });
    } else if (o.protocol) {
      actions.push({ protocol: { minReaderVersion: num(o.protocol.minReaderVersion)!, minWriterVersion: num(o.protocol.minWriterVersion)! } });
    }
  }
  if (!actions.some((a) => 'metaData' in a)) throw new DeltaLogError(`${where}: a checkpoint without metaData`);
  return actions;
}
