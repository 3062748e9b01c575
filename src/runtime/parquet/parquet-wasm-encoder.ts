import { tableToIPC } from 'apache-arrow';
import type { ColumnBatch } from '../batch/column-batch.js';
import type { ParquetEncoder } from './parquet-encoder.js';

type ParquetWasm = typeof import('parquet-wasm');

let parquetWasm: Promise<ParquetWasm> | undefined;

/**
 * Loads parquet-wasm once, on first use. Its `node` entry (picked by the package's export
 * conditions) reads and instantiates the .wasm synchronously when imported, so jobs that never
 * write Parquet never pay for it.
 */
function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= import('parquet-wasm');
  return parquetWasm;
}

/** Which codec the file's column chunks are compressed with. */
export type ParquetWasmCompression = 'zstd' | 'snappy';

/**
 * Arrow batch -> Arrow IPC stream -> parquet-wasm (the Rust `parquet` crate compiled to WASM):
 * dictionary encoding (falling back to plain for columns whose dictionary outgrows its page),
 * page-level statistics, one row group per batch.
 */
export function parquetWasmEncoder(compression: ParquetWasmCompression): ParquetEncoder & { compression: ParquetWasmCompression } {
  return {
    name: `parquet-wasm-${compression}`,
    compression,
    async encode(batch: ColumnBatch): Promise<Uint8Array> {
      const pw = await loadParquetWasm();
      const ipc = tableToIPC(batch.toArrowTable(), 'stream');
      // writeParquet consumes (frees) both the WASM table and the properties, so build them per call.
      const properties = new pw.WriterPropertiesBuilder()
        .setCompression(compression === 'zstd' ? pw.Compression.ZSTD : pw.Compression.SNAPPY)
        .setDictionaryEnabled(true)
        .setStatisticsEnabled(pw.EnabledStatistics.Page)
        .setMaxRowGroupSize(Math.max(batch.rowCount, 1))
        .setCreatedBy('gamepipe (parquet-wasm)')
        .build();
      return pw.writeParquet(pw.Table.fromIPCStream(ipc), properties);
    },
  };
}
