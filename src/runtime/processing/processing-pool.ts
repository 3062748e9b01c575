import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CompiledJob } from '../../dsl/job-spec.js';
import type { AbortedTransaction } from '../../kafka/fetch-wire.js';
import { WORKER_RESOURCE_LIMITS } from '../../workers/worker-limits.js';
import { WorkerRequests } from '../../workers/worker-requests.js';
import type { FromProcessing, ProcessedReply, SealedReply, ToProcessing } from './worker-protocol.js';

/** Raised for every request of a processing thread that stopped: its open batches are gone. */
export class ProcessingThreadError extends Error {
  constructor(message: string) {
    super(`processing thread failed: ${message}`);
    this.name = 'ProcessingThreadError';
  }
}

/**
 * How many `records` messages may wait at one thread: the reader stops fetching beyond that, so
 * what a slow thread holds stays bounded (a message is at most one fetch of one partition).
 */
const MAX_QUEUED_RECORDS = 4;
/** Record buffers come back from the threads for reuse: fresh ones cost page faults and garbage collection. */
const MAX_SPARE_BUFFERS = MAX_QUEUED_RECORDS * 2;
const BUFFER_GRANULE = 256 * 1024;

/**
 * Threads to start: GAMEPIPE_PROCESSING_THREADS, else one per core but one, since the main thread
 * (reading Kafka, committing) and the Parquet thread keep about a core busy between them. On 2
 * cores one processing thread was as fast as two, with less CPU (bench/hotpath-compare.ts).
 */
function processingThreadCount(): number {
  const set = Number(process.env.GAMEPIPE_PROCESSING_THREADS);
  return Number.isInteger(set) && set > 0 ? set : Math.max(1, availableParallelism() - 1);
}

function startWorker(): Worker {
  const here = import.meta.url;
  // Run from the TypeScript sources (tests, tsx) the worker needs the loader; the bundle has it compiled.
  const [file, workerData] = here.endsWith('.ts')
    ? ['../../workers/ts-entry.mjs', { entry: new URL('./processing-worker.ts', here).href }]
    : ['./processing-worker.js', undefined];
  return new Worker(new URL(file, here), { workerData, resourceLimits: WORKER_RESOURCE_LIMITS });
}

function addJobMessage(job: number, compiled: CompiledJob): ToProcessing {
  return { type: 'add-job', job, spec: compiled.spec, filterTree: compiled.filterTree };
}

/** One processing thread and the requests it has not answered yet. */
class ProcessingThread {
  private readonly worker: Worker;
  private readonly requests: WorkerRequests<FromProcessing>;
  private queuedRecords = 0;
  private readonly spare: ArrayBuffer[] = [];
  private room: { promise: Promise<void>; resolve(): void } | undefined;
  private failure: ProcessingThreadError | undefined;

  constructor(private readonly onFailure: (err: ProcessingThreadError) => void) {
    this.worker = startWorker();
    this.requests = new WorkerRequests(this.worker, {
      onMessage: (reply) => this.answer(reply),
      onError: (err) => this.fail(err.message),
      onExit: (code) => this.fail(`exited with code ${code}`),
    });
  }

  /** True once the thread stopped: its requests reject, and the pool starts another in its place. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Sends a message no one waits on; to a stopped thread it is dropped (the jobs learn from their requests). */
  send(message: ToProcessing, transfer: ArrayBuffer[] = []): void {
    if (!this.failure) this.worker.postMessage(message, transfer);
  }

  request<T extends FromProcessing>(message: ToProcessing & { id: number }, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return this.requests.send(message.id, message, transfer) as Promise<T>;
  }

  records(message: Omit<ToProcessing & { type: 'records' }, 'recordBatches' | 'length'>, batches: Uint8Array): Promise<ProcessedReply> {
    // One copy out of the fetch response, into a buffer the thread can take over.
    const buffer = this.buffer(batches.length);
    new Uint8Array(buffer, 0, batches.length).set(batches);
    this.queuedRecords++;
    return this.request<ProcessedReply>({ ...message, recordBatches: buffer, length: batches.length }, [buffer]).then(
      (reply) => {
        if (this.spare.length < MAX_SPARE_BUFFERS) this.spare.push(reply.recordBatches);
        this.recordsAnswered();
        return reply;
      },
      (err: Error) => {
        this.recordsAnswered();
        throw err;
      },
    );
  }

  // One records message fewer waits on the thread: a delivery held for room may go on.
  private recordsAnswered(): void {
    this.queuedRecords--;
    this.room?.resolve();
    this.room = undefined;
  }

  /** A spare buffer of at least `bytes`, or a new one rounded up so that it is likely reused. */
  private buffer(bytes: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= bytes);
    if (i >= 0) return this.spare.splice(i, 1)[0]!;
    return new ArrayBuffer(Math.ceil(bytes / BUFFER_GRANULE) * BUFFER_GRANULE);
  }

  /** Undefined while there is room for more records; else settles when there is. */
  whenRoom(): Promise<void> | undefined {
    if (this.queuedRecords < MAX_QUEUED_RECORDS || this.failure) return undefined;
    if (!this.room) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.room = { promise, resolve };
    }
    return this.room.promise;
  }

  terminate(): Promise<number> {
    this.failure ??= new ProcessingThreadError('stopped');
    return this.worker.terminate();
  }

  private answer(reply: FromProcessing): void {
    if (reply.type === 'error' && reply.id === -1) return this.fail(reply.message);
    this.requests.settle(reply.id, reply.type === 'error' ? new ProcessingThreadError(reply.message) : reply);
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new ProcessingThreadError(message);
    // A thread that answered with a failure is still running: it is given up, so it must end.
    void this.worker.terminate();
    this.requests.rejectAll(this.failure);
    this.room?.resolve();
    this.onFailure(this.failure);
  }
}

/**
 * The processing threads of a runner: decoding, filtering, projection and column building run
 * there, so the main thread only fetches and commits. A partition always goes to the same thread
 * (its records and its seals stay in order); the threads start on first use.
 */
export class ProcessingPool {
  private threads: ProcessingThread[] | undefined;
  private stopped = false;
  /** Ids of the jobs registered with the threads. */
  private nextJobId = 1;
  /** Ids of the requests that wait for a thread's answer (records, seals), apart from the job ids. */
  private nextRequestId = 1;
  private readonly jobs = new Map<number, CompiledJob>();

  constructor(
    private readonly size = processingThreadCount(),
    /** Told when a thread stops unexpectedly; every job it served has lost its open batches. */
    private readonly onFailure: (err: ProcessingThreadError) => void = () => {},
  ) {}

  /** Starts the threads now (they load their code meanwhile), rather than on the first partition opened. */
  warmUp(): void {
    if (!this.stopped) this.all();
  }

  /** Registers a job with every thread; returns the id the other calls take. */
  addJob(compiled: CompiledJob): number {
    const job = this.nextJobId++;
    this.jobs.set(job, compiled);
    // Threads not started yet are told every job when they start.
    for (const thread of this.threads ?? []) thread.send(addJobMessage(job, compiled));
    return job;
  }

  removeJob(job: number): void {
    this.jobs.delete(job);
    for (const thread of this.threads ?? []) thread.send({ type: 'remove-job', job });
  }

  /** Opens the job's batch of `partition` at checkpoint `from`, taking records from `next` on (see PartitionBuffer.jumpTo). */
  open(job: number, topic: string, partition: number, from: number, next = from): void {
    this.thread(topic, partition).send({ type: 'open', job, partition, from, next });
  }

  /** The job's open batch of `partition` takes records from `next` on, keeping what it holds (see PartitionBuffer.jumpTo). */
  jump(job: number, topic: string, partition: number, next: number): void {
    this.thread(topic, partition).send({ type: 'jump', job, partition, next });
  }

  close(job: number, topic: string, partition: number): void {
    this.thread(topic, partition).send({ type: 'close', job, partition });
  }

  /**
   * Hands the records of Kafka record `batches` at or after offset `from` over to the jobs listed
   * (each takes those at or after its own next offset); settles once the thread has processed them.
   */
  process(topic: string, partition: number, jobs: number[], batches: Uint8Array, from: number, aborted: AbortedTransaction[]): Promise<ProcessedReply> {
    return this.thread(topic, partition).records({ type: 'records', id: this.nextRequestId++, topic, partition, jobs, from, aborted }, batches);
  }

  /** Undefined while the partition's thread has room for more records; else settles when it has. */
  whenRoom(topic: string, partition: number): Promise<void> | undefined {
    return this.thread(topic, partition).whenRoom();
  }

  /** The job's open batch of `partition`, sealed after every record handed over before this call. */
  seal(job: number, topic: string, partition: number): Promise<SealedReply> {
    return this.thread(topic, partition).request<SealedReply>({ type: 'seal', id: this.nextRequestId++, job, partition });
  }

  /** Stops the threads for good; call once no job runs (later requests reject). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all((this.threads ?? []).map((t) => t.terminate()));
  }

  private all(): ProcessingThread[] {
    this.threads ??= Array.from({ length: this.size }, () => this.startThread());
    return this.threads;
  }

  /** A new thread that knows every job; its partitions' batches start when their jobs open them. */
  private startThread(): ProcessingThread {
    const thread = new ProcessingThread((err) => this.onFailure(err));
    for (const [job, compiled] of this.jobs) thread.send(addJobMessage(job, compiled));
    return thread;
  }

  private thread(topic: string, partition: number): ProcessingThread {
    const threads = this.all();
    let hash = 0;
    for (let i = 0; i < topic.length; i++) hash = (hash * 31 + topic.charCodeAt(i)) | 0;
    const at = Math.abs(hash + partition) % threads.length;
    // A thread that died took its open batches along: its jobs fail on their next request to it
    // (a batch it does not hold) and start again from their checkpoints, on a thread that lives.
    if (threads[at]!.failed && !this.stopped) threads[at] = this.startThread();
    return threads[at]!;
  }
}
