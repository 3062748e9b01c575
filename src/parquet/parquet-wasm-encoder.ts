import type { Table } from 'apache-arrow';
import { Worker } from 'node:worker_threads';
import { WORKER_RESOURCE_LIMITS } from '../workers/worker-limits.js';
import { WorkerRequests } from '../workers/worker-requests.js';
import { tableOf, takeIpcStream, type EncoderRows } from './owned-table.js';
import type { ParquetEncoder } from './parquet-encoder.js';
import { RememberedWritePlans, writePlanFor, type ParquetWritePlan } from './parquet-write-plan.js';

/** Which codec the file's column chunks are compressed with. */
export type ParquetWasmCompression = 'zstd' | 'snappy';

type Reply = {
  id: number;
  bytes?: Uint8Array;
  error?: string;
  /**
   * The request's IPC stream, sent back only so that its memory is freed on this thread, which
   * collects garbage often (parquet-wasm-thread.mjs); nothing here reads it.
   */
  spent?: ArrayBuffer;
};

/**
 * One worker thread running parquet-wasm (the Rust `parquet` crate compiled to WASM), shared by
 * every encoder of the process and started on first use. Requests are answered in order.
 */
class ParquetWasmThread {
  private requests: WorkerRequests<Uint8Array, Reply> | undefined;
  private nextId = 0;

  /** Starts the thread now (it compiles parquet-wasm first), so that the first batch does not wait for it. */
  warmUp(): void {
    this.requests ??= this.start();
  }

  private start(): WorkerRequests<Uint8Array, Reply> {
    const worker = new Worker(new URL('./parquet-wasm-thread.mjs', import.meta.url), { resourceLimits: WORKER_RESOURCE_LIMITS });
    const requests: WorkerRequests<Uint8Array, Reply> = new WorkerRequests(worker, {
      onMessage: ({ id, bytes, error }) => requests.settle(id, error !== undefined || !bytes ? new Error(`parquet-wasm: ${error}`) : bytes),
      onError: (err) => this.failAll(requests, err),
      onExit: (code) => this.failAll(requests, new Error(`parquet-wasm worker exited with code ${code}`)),
    });
    return requests;
  }

  /**
   * Fails the requests of one worker. A worker that errs exits later: by then a request may have
   * started its successor, whose requests its exit must leave alone.
   */
  private failAll(requests: WorkerRequests<Uint8Array, Reply>, err: Error): void {
    requests.rejectAll(err);
    if (this.requests === requests) this.requests = undefined;
  }

  /** `ipc` is the caller's no more: its memory is handed over when it fills its buffer, else copied. */
  encode(ipc: Uint8Array, compression: ParquetWasmCompression, rows: number, plan: ParquetWritePlan): Promise<Uint8Array> {
    const requests = (this.requests ??= this.start());
    const id = this.nextId++;
    // Hand the IPC bytes over rather than copying them, when they fill their own buffer.
    const whole = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength;
    return requests.send(id, { id, ipc, compression, rows, plan }, whole ? [ipc.buffer as ArrayBuffer] : []);
  }
}

const thread = new ParquetWasmThread();

/**
 * Arrow batch -> Arrow IPC stream (on the calling thread) -> Parquet on the parquet-wasm worker:
 * dictionary encoding (given up for columns whose dictionary outgrows its page), statistics,
 * one row group per batch, per-column settings from `plan` (writePlanFor by default; the
 * benchmark passes others to compare).
 */
export function parquetWasmEncoder(
  compression: ParquetWasmCompression,
  plan: (table: Table) => ParquetWritePlan = writePlanFor,
): ParquetEncoder & { compression: ParquetWasmCompression } {
  const plans = new RememberedWritePlans(plan);
  return {
    name: `parquet-wasm-${compression}`,
    compression,
    warmUp: () => thread.warmUp(),
    encode(rows: EncoderRows, tableKey?: string): Promise<Uint8Array> {
      // The plan and the row count first: taking the stream leaves an OwnedTable unreadable.
      const table = tableOf(rows);
      const count = table.numRows;
      const writePlan = plans.planOf(table, tableKey);
      return thread.encode(takeIpcStream(rows), compression, count, writePlan);
    },
  };
}
