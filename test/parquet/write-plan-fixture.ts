import type { OutputValue } from '../../src/dsl/job-spec.js';
import { ColumnBatch, type BatchColumn } from '../../src/runtime/batch/column-batch.js';

// Shaped like the example jobs' batches: nearly unique ids, event times and raw events beside
// low-cardinality strings, Kafka timestamps repeating in runs, and nulls in every column.
export const COLUMNS: BatchColumn[] = [
  { name: 'event_type', type: 'string' },
  { name: 'quantity', type: 'int' },
  { name: 'speed', type: 'double' },
  { name: 'player_id', type: 'long' },
  { name: 'mounted', type: 'boolean' },
  { name: 'event_id', type: 'string' },
  { name: 'event_ts', type: 'timestamp' },
  { name: 'received_at', type: 'timestamp' },
  { name: 'dt', type: 'date' },
  { name: 'raw_event', type: 'json' },
];
export const ROW_COUNT = 30_000;
export const BASE_TS = Date.parse('2026-11-22T15:00:00.000Z');

export function eventRow(i: number): OutputValue[] {
  const id = `${(i * 2654435761) % 4294967296}`.padStart(10, '0');
  const eventId = `${id.slice(0, 8)}-${String(i).padStart(4, '0').slice(-4)}-4a1b-9c2d-${id}ab`;
  const raw = JSON.stringify({ event_type: 'purchase_horse', event_id: eventId, note: `événement 🐴 ${i}`, Host: `user${i % 100}.comcast.com`, Accept: '*/*' });
  const row: OutputValue[] = [
    ['purchase_horse', 'purchase_sword', 'join_guild'][i % 3]!,
    1 + (i % 9),
    (i % 40) / 4,
    BigInt(i) * 1_000_003n - 2n ** 62n,
    i % 2 === 0,
    eventId,
    BASE_TS + i * 3 + (i % 7),
    BASE_TS + Math.floor(i / 2000) * 20,
    20_414 + (i % 2),
    raw,
  ];
  // Every column is null somewhere, on a different row each.
  if (i % 997 < COLUMNS.length) row[i % 997] = null;
  return row;
}

export const ROWS = Array.from({ length: ROW_COUNT }, (_, i) => eventRow(i));

export function batchOf(rows: OutputValue[][]): ColumnBatch {
  const batch = new ColumnBatch(COLUMNS);
  for (const row of rows) batch.append(row);
  return batch;
}
