// The worker thread behind the parquet-wasm encoder (parquet-wasm-encoder.ts): it turns Arrow IPC
// streams into Parquet files, so encoding runs on the second core while the main thread reads
// Kafka. Plain JavaScript, because a worker does not inherit the TypeScript loader of its parent.
import { setFlagsFromString } from 'node:v8';
import { parentPort } from 'node:worker_threads';

// parquet-wasm is a large module of which a run calls a small part: compiled lazily, function by
// function on first call, the thread holds less memory at the same speed
// (figures: docs/decisions/worker-and-parquet-settings.md).
// The flag is read when a module compiles, and this is the process's only WebAssembly.
setFlagsFromString('--wasm-lazy-compilation');
const pw = await import('parquet-wasm');

const STATISTICS = { none: pw.EnabledStatistics.None, chunk: pw.EnabledStatistics.Chunk, page: pw.EnabledStatistics.Page };

/** Writer properties for one file; `plan` is a ParquetWritePlan (parquet-write-plan.ts). */
function properties(compression, rows, plan) {
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(compression === 'zstd' ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(pw.EnabledStatistics.Page)
    .setMaxRowGroupSize(Math.max(rows, 1))
    .setCreatedBy('gamepipe (parquet-wasm)');
  if (plan.dictionaryPageBytes !== undefined) builder = builder.setDictionaryPageSizeLimit(plan.dictionaryPageBytes);
  for (const { name, dictionary, encoding, statistics } of plan.columns) {
    if (dictionary !== undefined) builder = builder.setColumnDictionaryEnabled(name, dictionary);
    if (encoding !== undefined) builder = builder.setColumnEncoding(name, pw.Encoding[encoding]);
    if (statistics !== undefined) builder = builder.setColumnStatisticsEnabled(name, STATISTICS[statistics]);
  }
  return builder.build();
}

parentPort.on('message', ({ id, ipc, compression, rows, plan }) => {
  try {
    // writeParquet consumes (frees) both the WASM table and the properties, so build them per call.
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(ipc), properties(compression, rows, plan));
    // The stream's memory goes back too, though no one reads it: this thread makes little garbage,
    // so it collects rarely and dead buffers would pile up here; the main thread collects often.
    parentPort.postMessage({ id, bytes, spent: ipc.buffer }, [bytes.buffer, ipc.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
