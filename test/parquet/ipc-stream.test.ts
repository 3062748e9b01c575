import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { takeIpcStream, tableFromIpcStream } from '../../src/parquet/ipc-stream.js';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdb, readParquet } from './read-parquet.js';

describe('ipc-stream', () => {
  const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });

  it('hands back the stream a table was read from, once, and writes one for other tables', () => {
    const stream = tableToIPC(table, 'stream');
    const read = tableFromIpcStream(stream);
    expect(takeIpcStream(read)).toBe(stream);
    // Taken: a second call writes a stream of its own.
    expect(takeIpcStream(read)).not.toBe(stream);
    expect(Buffer.from(takeIpcStream(table)).equals(Buffer.from(stream))).toBe(true);
  });

  it('moves the stream of a table read from one to the Parquet thread, and the file holds its rows', async () => {
    const stream = tableToIPC(table, 'stream');
    const parquet = await parquetEncoderByName('parquet-wasm-snappy').encode(tableFromIpcStream(stream));
    // Transferred, not copied: the bytes left this thread.
    expect(stream.buffer.byteLength).toBe(0);
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
