// The worker thread behind the parquet-wasm encoder (parquet-wasm-encoder.ts): it turns Arrow IPC
// streams into Parquet files, so encoding runs on the second core while the main thread reads
// Kafka. Plain JavaScript, because a worker does not inherit the TypeScript loader of its parent.
import { parentPort } from 'node:worker_threads';

const pw = await import('parquet-wasm');

parentPort.on('message', ({ id, ipc, compression, rows }) => {
  try {
    // writeParquet consumes (frees) both the WASM table and the properties, so build them per call.
    const properties = new pw.WriterPropertiesBuilder()
      .setCompression(compression === 'zstd' ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
      .setDictionaryEnabled(true)
      .setStatisticsEnabled(pw.EnabledStatistics.Page)
      .setMaxRowGroupSize(Math.max(rows, 1))
      .setCreatedBy('gamepipe (parquet-wasm)')
      .build();
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(ipc), properties);
    parentPort.postMessage({ id, bytes }, [bytes.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
