import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ipcStreamOf, tableFromIpcStream } from '../../../src/runtime/parquet/ipc-stream.js';
import { parquetEncoderByName } from '../../../src/runtime/parquet/parquet-encoder.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdb, readParquet } from './read-parquet.js';

describe('ipc-stream', () => {
  const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });

  it('gives back the stream a table was read from, as not owned, and writes one for other tables', () => {
    const stream = tableToIPC(table, 'stream');
    const read = tableFromIpcStream(stream);
    expect(ipcStreamOf(read)).toEqual({ ipc: stream, owned: false });
    const written = ipcStreamOf(table);
    expect(written.owned).toBe(true);
    expect(Buffer.from(written.ipc).equals(Buffer.from(stream))).toBe(true);
  });

  it('leaves a table read from a stream intact after it was encoded to Parquet', async () => {
    const read = tableFromIpcStream(tableToIPC(table, 'stream'));
    const parquet = await parquetEncoderByName('parquet-wasm-snappy').encode(read);
    expect(read.getChild('n')!.toArray()).toEqual(Int32Array.from([1, 2, 3]));
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
