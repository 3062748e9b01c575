import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';

// A sealed batch reaches the main thread as an Arrow IPC stream and goes on to the Parquet thread
// as one: a table read from a stream remembers it, so encoding does not write the same stream again.
const streams = new WeakMap<Table, Uint8Array>();

/** The table in an Arrow IPC stream (viewing its bytes), remembering the stream for `ipcStreamOf`. */
export function tableFromIpcStream(ipc: Uint8Array): Table {
  const table = tableFromIPC(ipc);
  streams.set(table, ipc);
  return table;
}

/**
 * The table as an Arrow IPC stream: the one it was read from (still viewed by the table, so not
 * the caller's to hand away), or one written now (`owned`: nothing else refers to it).
 */
export function ipcStreamOf(table: Table): { ipc: Uint8Array; owned: boolean } {
  const remembered = streams.get(table);
  if (remembered) return { ipc: remembered, owned: false };
  return { ipc: tableToIPC(table, 'stream'), owned: true };
}
