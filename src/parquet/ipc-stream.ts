import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';

// A sealed batch reaches the main thread as an Arrow IPC stream and goes on to the Parquet thread
// as one: a table read from a stream remembers it, so encoding hands the same bytes on (moved,
// not copied) instead of writing a second stream.
const streams = new WeakMap<Table, Uint8Array>();

/**
 * The table in an Arrow IPC stream (viewing its bytes), remembering the stream for `takeIpcStream`.
 * Such a table is read until it is encoded, and not after (its memory moves on).
 */
export function tableFromIpcStream(ipc: Uint8Array): Table {
  const table = tableFromIPC(ipc);
  streams.set(table, ipc);
  return table;
}

/**
 * The table as an Arrow IPC stream that nothing else refers to, free to be transferred: the one it
 * was read from (the table must not be read any more), or one written now.
 */
export function takeIpcStream(table: Table): Uint8Array {
  const remembered = streams.get(table);
  if (!remembered) return tableToIPC(table, 'stream');
  streams.delete(table);
  return remembered;
}
