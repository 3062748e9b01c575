import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { OwnedTable, takeIpcStream } from '../../src/parquet/owned-table.js';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdb, readParquet } from './read-parquet.js';

describe('OwnedTable', () => {
  const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });

  it('hands on the stream a table was read from, once, and writes one for other tables', () => {
    const stream = tableToIPC(table, 'stream');
    const read = OwnedTable.fromIpcStream(stream);
    expect(read.table.numRows).toBe(3);
    expect(read.takeIpcStream()).toBe(stream);
    // Taken: the rows are no longer the holder's to read or take.
    expect(() => read.table).toThrow(/taken/);
    expect(() => read.takeIpcStream()).toThrow(/taken/);
    expect(read.numRows).toBe(3);
    expect(Buffer.from(OwnedTable.of(table).takeIpcStream()).equals(Buffer.from(stream))).toBe(true);
    // A plain table is only read: a stream is written for it every time.
    expect(Buffer.from(takeIpcStream(table)).equals(Buffer.from(stream))).toBe(true);
    expect(table.numRows).toBe(3);
  });

  it('moves the stream of a table read from one to the Parquet thread, and the file holds its rows', async () => {
    const stream = tableToIPC(table, 'stream');
    const owned = OwnedTable.fromIpcStream(stream);
    const parquet = await parquetEncoderByName('parquet-wasm-snappy').encode(owned);
    // Transferred, not copied: the bytes left this thread, and the holder can no longer read them.
    expect(stream.buffer.byteLength).toBe(0);
    expect(() => owned.table).toThrow(/taken/);
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-ipc-'));
    const db = await duckdb();
    try {
      await writeFile(join(dir, 'n.parquet'), parquet);
      const { rows } = await readParquet(db.connection, join(dir, 'n.parquet'));
      expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
