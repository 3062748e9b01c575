import type { Table } from 'apache-arrow';
import { Worker } from 'node:worker_threads';
import { WORKER_RESOURCE_LIMITS } from '../worker-limits.js';
import { takeIpcStream } from './ipc-stream.js';
import type { ParquetEncoder } from './parquet-encoder.js';
import { RememberedWritePlans, writePlanFor, type ParquetWritePlan } from './parquet-write-plan.js';

/** Which codec the file's column chunks are compressed with. */
export type ParquetWasmCompression = 'zstd' | 'snappy';

type Reply = { id: number; bytes?: Uint8Array; error?: string };

/**
 * One worker thread running parquet-wasm (the Rust `parquet` crate compiled to WASM), shared by
 * every encoder of the process and started on first use. Requests are answered in order.
 */
class ParquetWasmThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(bytes: Uint8Array): void; reject(err: Error): void }>();

  /** Starts the thread now (it compiles parquet-wasm first), so that the first batch does not wait for it. */
  warmUp(): void {
    this.worker ??= this.start();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./parquet-wasm-thread.mjs', import.meta.url), { resourceLimits: WORKER_RESOURCE_LIMITS });
    worker.on('message', ({ id, bytes, error }: Reply) => {
      const request = this.pending.get(id);
      this.pending.delete(id);
      // An idle worker must not keep the process alive.
      if (this.pending.size === 0) worker.unref();
      if (error !== undefined || !bytes) request?.reject(new Error(`parquet-wasm: ${error}`));
      else request?.resolve(bytes);
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(new Error(`parquet-wasm worker exited with code ${code}`)));
    // An idle worker must not keep the process alive. After the listeners: adding a 'message'
    // listener refs the worker's port again, which held every run's exit until its 200 ms fallback.
    worker.unref();
    return worker;
  }

  private failAll(err: Error): void {
    this.worker = undefined;
    for (const request of this.pending.values()) request.reject(err);
    this.pending.clear();
  }

  /** `ipc` is the caller's no more: its memory is handed over when it fills its buffer, else copied. */
  encode(ipc: Uint8Array, compression: ParquetWasmCompression, rows: number, plan: ParquetWritePlan): Promise<Uint8Array> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Hand the IPC bytes over rather than copying them, when they fill their own buffer.
      const whole = ipc.byteOffset === 0 && ipc.byteLength === ipc.buffer.byteLength;
      worker.postMessage({ id, ipc, compression, rows, plan }, whole ? [ipc.buffer as ArrayBuffer] : []);
    });
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
    encode(table: Table, tableKey?: string): Promise<Uint8Array> {
      // The plan and the row count first: taking the stream may leave the table unreadable.
      const rows = table.numRows;
      const writePlan = plans.planOf(table, tableKey);
      return thread.encode(takeIpcStream(table), compression, rows, writePlan);
    },
  };
}
