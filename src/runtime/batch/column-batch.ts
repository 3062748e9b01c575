import * as arrow from 'apache-arrow';
import type { ColumnType } from '../../dsl/job-spec.js';
import { columnAccumulator, type BatchValue, type ColumnAccumulator } from './column-accumulators.js';

/** An output column: its name and the type its values are coerced to. */
export interface BatchColumn {
  name: string;
  type: ColumnType;
}

/**
 * The open micro-batch of one job, accumulated column-wise into Arrow-ready buffers.
 * Rows are copied in, so the caller may reuse its row array for every record.
 */
export class ColumnBatch {
  private readonly accumulators: ColumnAccumulator[];
  private rows = 0;

  constructor(readonly columns: readonly BatchColumn[]) {
    const seen = new Set<string>();
    for (const { name } of columns) {
      if (seen.has(name)) throw new TypeError(`ColumnBatch: column "${name}" appears twice`);
      seen.add(name);
    }
    this.accumulators = columns.map((c) => columnAccumulator(c.name, c.type));
  }

  /** Rows appended so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Copies one row in (values in column order); a value of the wrong type throws and adds nothing. */
  append(row: readonly BatchValue[]): void {
    const accumulators = this.accumulators;
    if (row.length !== accumulators.length) {
      throw new TypeError(`ColumnBatch: row has ${row.length} values, the batch has ${accumulators.length} columns`);
    }
    let i = 0;
    try {
      for (; i < accumulators.length; i++) accumulators[i]!.append(row[i]!);
    } catch (err) {
      for (let j = 0; j < i; j++) accumulators[j]!.dropLast();
      throw err;
    }
    this.rows++;
  }

  /**
   * Empties the batch for the next trigger, keeping its buffers: fresh memory costs a page fault
   * per page on first write, which profiles showed to be most of the cost of building a batch of
   * small events. Call it only once the table from `toArrowTable` is no longer used
   * (an encoder's `encode` has resolved: the bytes it returns are a copy).
   */
  reset(): void {
    for (const accumulator of this.accumulators) accumulator.clear();
    this.rows = 0;
  }

  /** The batch as one Arrow record batch; it views the batch's memory, so append nothing afterwards. */
  toArrowTable(): arrow.Table {
    const fields = this.columns.map((c, i) => new arrow.Field(c.name, this.accumulators[i]!.arrowType, true));
    const schema = new arrow.Schema(fields);
    const data = arrow.makeData({
      type: new arrow.Struct(fields),
      length: this.rows,
      nullCount: 0,
      children: this.accumulators.map((a) => a.toData()),
    });
    return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
  }
}
