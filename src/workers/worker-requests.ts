import type { TransferListItem, Worker } from 'node:worker_threads';

/** What the owner of a worker hears from it. */
interface WorkerListeners<M> {
  /** A message the worker posted. */
  onMessage(message: M): void;
  /** The worker threw an error it did not catch; it exits next. */
  onError(err: Error): void;
  /** The worker exited. */
  onExit(code: number): void;
}

/**
 * The requests a worker thread has not answered yet, by id. The worker is ref'd while one of them
 * waits and unref'd when none does: an idle worker must not keep the process alive, a busy one must.
 * `T` is what an answer resolves its request with; it is never an Error (see `settle`). `M` is what
 * the worker posts.
 */
export class WorkerRequests<T, M = T> {
  private readonly pending = new Map<number, { resolve(value: T): void; reject(err: Error): void }>();

  /** Adds `listeners` to `worker`, then unrefs it: it has no request yet. */
  constructor(
    private readonly worker: Worker,
    listeners: WorkerListeners<M>,
  ) {
    worker.on('message', (message: M) => listeners.onMessage(message));
    worker.on('error', (err) => listeners.onError(err));
    worker.on('exit', (code) => listeners.onExit(code));
    // After the listeners, not before: adding a 'message' listener refs the worker's port again,
    // which held every run's exit until its 200 ms fallback (test/runtime/processing/idle-threads.test.ts).
    worker.unref();
  }

  /** Posts `message`, which asks request `id`, and waits for its answer. */
  send(id: number, message: unknown, transfer: readonly TransferListItem[] = []): Promise<T> {
    if (this.pending.size === 0) this.worker.ref();
    const answer = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.postMessage(message, transfer);
    return answer;
  }

  /** Resolves request `id` with `outcome`, or rejects it when `outcome` is an Error; an id no one waits on is ignored. */
  settle(id: number, outcome: T | Error): void {
    const request = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    if (outcome instanceof Error) request?.reject(outcome);
    else request?.resolve(outcome);
  }

  /**
   * Rejects every waiting request: the worker failed. It stays ref'd if it was: a failed worker is
   * ending, and the process waits for that as it did for the requests.
   */
  rejectAll(err: Error): void {
    for (const request of this.pending.values()) request.reject(err);
    this.pending.clear();
  }
}
