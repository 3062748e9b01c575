import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';

// A sealed batch reaches the main thread as an Arrow IPC stream and goes on to the Parquet thread
// as one: the table read from it views the stream's bytes, so encoding hands the same bytes on
// (moved, not copied) instead of writing a second stream. An OwnedTable makes that hand-off a value:
// it holds the table together with the memory its buffers view, whoever holds it may read the
// table, and taking the rows (an encoder does) ends that: reading through it afterwards throws
// instead of seeing memory that moved to another thread. Whatever must be read from the rows
// (statistics, a write plan) is read before they are taken.

/** Rows whose Arrow memory passes, once, from their holder to whoever takes them. */
export class OwnedTable {
  /** The row count, readable after the rows were taken. */
  readonly numRows: number;
  private current: Table | undefined;
  /** The IPC stream `current` views, or undefined for a table in memory of its own. */
  private stream: Uint8Array | undefined;

  private constructor(table: Table, stream: Uint8Array | undefined) {
    this.current = table;
    this.stream = stream;
    this.numRows = table.numRows;
  }

  /** The table in an Arrow IPC stream, viewing its bytes: taking the stream hands on these bytes. */
  static fromIpcStream(ipc: Uint8Array): OwnedTable {
    return new OwnedTable(tableFromIPC(ipc), ipc);
  }

  /** A table in memory of its own: taking its stream writes one. */
  static of(table: Table): OwnedTable {
    return new OwnedTable(table, undefined);
  }

  /** The rows, until they are taken. */
  get table(): Table {
    if (!this.current) throw new Error('these rows were taken (handed to an encoder): their memory is no longer the holder’s to read');
    return this.current;
  }

  /**
   * Takes the rows as an Arrow IPC stream that nothing else refers to, free to be transferred: the
   * one the table was read from, or one written now. Nothing can be read through this afterwards.
   */
  takeIpcStream(): Uint8Array {
    const table = this.takeTable();
    const stream = this.stream ?? tableToIPC(table, 'stream');
    this.stream = undefined;
    return stream;
  }

  /** Takes the rows as the table itself, for a taker that reads it in place. Nothing can be read through this afterwards. */
  takeTable(): Table {
    const table = this.table;
    this.current = undefined;
    return table;
  }
}

/** Rows to encode: an OwnedTable, whose memory the encoder takes, or a plain table it only reads. */
export type EncoderRows = Table | OwnedTable;

/** The table of `rows`, to read before they are taken. */
export function tableOf(rows: EncoderRows): Table {
  return rows instanceof OwnedTable ? rows.table : rows;
}

/** `rows` as an Arrow IPC stream free to be transferred: an OwnedTable's is taken, a plain table is written out. */
export function takeIpcStream(rows: EncoderRows): Uint8Array {
  return rows instanceof OwnedTable ? rows.takeIpcStream() : tableToIPC(rows, 'stream');
}
