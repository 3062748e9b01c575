import parquet from 'parquetjs-lite';
import parquetTypes from 'parquetjs-lite/lib/types.js';
import { DataType, type Table, type Vector } from 'apache-arrow';
import type { ParquetEncoder } from './parquet-encoder.js';
import { OwnedTable, type EncoderRows } from './owned-table.js';

const MS_PER_DAY = 86_400_000;

// parquetjs-lite converts INT64 values with parseInt (losing everything past 2^53) and rejects
// timestamps and dates before 1970. Its plain encoder already writes BigInt(value), so let
// integer numbers and bigints through unchanged and leave every other input to the original.
const logicalTypes = parquetTypes.PARQUET_LOGICAL_TYPES;
for (const name of ['INT64', 'TIMESTAMP_MILLIS', 'DATE']) {
  const original = logicalTypes[name]!.toPrimitive;
  logicalTypes[name]!.toPrimitive = (value: unknown) =>
    typeof value === 'bigint' || Number.isInteger(value) ? value : original(value);
}

/** The parquetjs-lite type of an Arrow column type as the column batches build them. */
function parquetType(type: DataType): string {
  if (DataType.isUtf8(type)) return 'UTF8';
  if (DataType.isInt(type)) return type.bitWidth === 64 ? 'INT64' : 'INT32';
  if (DataType.isFloat(type)) return 'DOUBLE';
  if (DataType.isBool(type)) return 'BOOLEAN';
  if (DataType.isTimestamp(type)) return 'TIMESTAMP_MILLIS';
  if (DataType.isDate(type)) return 'DATE';
  throw new TypeError(`parquetjs-lite encoder: no Parquet type for Arrow ${type}`);
}

/** The column's values as parquetjs-lite wants them; Arrow hands Date32 back as epoch ms. */
function columnValues(vector: Vector): unknown[] {
  const values: unknown[] = [...vector];
  if (!DataType.isDate(vector.type)) return values;
  return values.map((ms) => (ms === null ? null : Math.round((ms as number) / MS_PER_DAY)));
}

/**
 * parquetjs-lite (pure JavaScript): plain encoding only (it cannot write dictionaries), snappy,
 * its default statistics, one row group per batch. It writes through a write callback, which
 * collects the chunks in memory: the encoder returns bytes and never touches the filesystem.
 */
export function parquetjsLiteEncoder(): ParquetEncoder {
  return {
    name: 'parquetjs-lite',
    async encode(rows: EncoderRows): Promise<Uint8Array> {
      const table = rows instanceof OwnedTable ? rows.takeTable() : rows;
      const columns = table.schema.fields;
      const fields = Object.fromEntries(
        columns.map((c) => [c.name, { type: parquetType(c.type), optional: true, compression: 'SNAPPY' }]),
      );
      const schema = new parquet.ParquetSchema(fields);
      const chunks: Buffer[] = [];
      const envelope = new parquet.ParquetEnvelopeWriter(schema, (chunk) => void chunks.push(chunk), () => {}, 0, {});
      const writer = new parquet.ParquetWriter(schema, envelope, { rowGroupSize: Math.max(table.numRows, 1) });

      const values = columns.map((_, i) => columnValues(table.getChildAt(i)!));
      for (let r = 0; r < table.numRows; r++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < columns.length; c++) {
          const value = values[c]![r];
          if (value !== null) row[columns[c]!.name] = value;
        }
        await writer.appendRow(row);
      }
      await writer.close();
      return Buffer.concat(chunks);
    },
  };
}
