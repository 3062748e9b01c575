// The three output tables of the benchmark workload and the figures that prove a contender
// produced them correctly: row counts and sums of numeric fields, computed from the generated events.
import type { GameEvent } from './events.js';

/** One benchmark output table: which events land in it and which numeric fields are summed. */
export interface BenchTable {
  name: 'sword_purchases' | 'horse_purchases' | 'guild_actions';
  eventTypes: string[];
  sums: string[];
}

/** The workload's three tables, in the order reports list them. */
export const BENCH_TABLES: BenchTable[] = [
  { name: 'sword_purchases', eventTypes: ['purchase_sword'], sums: ['quantity'] },
  { name: 'horse_purchases', eventTypes: ['purchase_horse'], sums: ['speed', 'quantity'] },
  { name: 'guild_actions', eventTypes: ['join_guild', 'leave_guild'], sums: [] },
];

/** Row count and per-field sums of one table. */
export interface TableTotals {
  rows: number;
  sums: Record<string, number>;
}

/** Totals per table name. */
export type WorkloadTotals = Record<string, TableTotals>;

/** Computes what every correct contender's tables must contain for these events. */
export function expectedTotals(events: Iterable<GameEvent>, tables = BENCH_TABLES): WorkloadTotals {
  const out: WorkloadTotals = {};
  const byType = new Map<string, { table: BenchTable; totals: TableTotals }[]>();
  for (const table of tables) {
    const totals: TableTotals = { rows: 0, sums: Object.fromEntries(table.sums.map((f) => [f, 0])) };
    out[table.name] = totals;
    for (const type of table.eventTypes) {
      const list = byType.get(type) ?? [];
      list.push({ table, totals });
      byType.set(type, list);
    }
  }
  for (const event of events) {
    for (const { table, totals } of byType.get(event.event_type ?? '') ?? []) {
      totals.rows++;
      for (const field of table.sums) {
        const v = Number(event[field]);
        // Missing values are null in every table and do not count towards SQL sums.
        if (event[field] !== undefined && Number.isFinite(v)) totals.sums[field]! += v;
      }
    }
  }
  return out;
}
