import type { CompiledJob } from '../dsl/job-spec.js';
import { DEAD_LETTER_COLUMNS } from '../dsl/dead-letters.js';
import { defaultParquetEncoder, parquetEncoderByName, type ParquetEncoder } from '../parquet/parquet-encoder.js';
import { DeltaJobStore } from './delta/delta-store.js';
import { FolderJobStore } from './folder/folder-store.js';
import type { JobStore } from './job-store.js';
import { parseSinkLocation, rejectedSinkPath } from './location.js';
import { LocalStore } from './storage/local-store.js';
import type { ObjectStore } from './storage/object-store.js';
import { S3Store } from './storage/s3-store.js';

/** The object store at a sink path: a local folder, or an S3 prefix. */
export function objectStoreAt(path: string): ObjectStore {
  const location = parseSinkLocation(path);
  return location.kind === 's3' ? new S3Store(location.bucket, location.prefix) : new LocalStore(location.path);
}

/**
 * The store of a job's tables, by its sink's format and path. Readers (query, status) may leave
 * out the encoder; writers pass the one the runtime chose.
 */
export function openJobStore(job: CompiledJob, encoder: ParquetEncoder = defaultParquetEncoder()): JobStore {
  const { sink } = job.spec;
  if (sink.format === 'parquet') return new FolderJobStore(sink.path, encoder, sink.partitionBy, job.columns);
  return new DeltaJobStore(
    { job: job.spec.job, columns: job.columns, rejectedColumns: DEAD_LETTER_COLUMNS, partitionBy: sink.partitionBy },
    objectStoreAt(sink.path),
    objectStoreAt(rejectedSinkPath(sink.path)),
    encoder,
    // Checkpoints hold nested columns (structs, maps, lists), which only parquet-wasm writes.
    parquetEncoderByName('parquet-wasm-snappy'),
  );
}
