import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConsoleQueryError, type AnswerFormat, type QueryAnswer, type QueryLimits } from './query-guard.js';
import type { ListedTable, QueryReply, QueryRequest } from './query-messages.js';

export interface ConsoleQueryOptions {
  limits: QueryLimits;
  /** Queries that may wait behind the running one; one more is answered 429. */
  queueLimit: number;
  /** The query process's JavaScript heap, in MiB. */
  heapMb?: number;
}

interface Pending {
  sql: string;
  format: AnswerFormat;
  tables: () => Promise<ListedTable[]>;
  resolve(answer: QueryAnswer | string): void;
  reject(err: unknown): void;
}

// The process gets this long past the time limit to send what it has before it is killed: its own
// deadline check runs between rows, so only a process stuck inside one value needs the kill.
const KILL_GRACE_MS = 1000;
const DEFAULT_HEAP_MB = 384;

/**
 * Runs the console's SQL in a child process, one query at a time, behind a bounded queue. The
 * process is killed when a query outlives its time limit and started again for the next one, so
 * no query can block the console's event loop, fill its heap or make it wait without bound.
 */
export class ConsoleQueries {
  private process: { child: ChildProcess; ready: Promise<void>; stderr: string[] } | undefined;
  private readonly waiting: Pending[] = [];
  private running: Pending | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ConsoleQueryOptions) {}

  /** Runs `sql` over the tables `tables()` lists when its turn comes; a full queue is a 429. */
  run(sql: string, format: AnswerFormat, tables: () => Promise<ListedTable[]>): Promise<QueryAnswer | string> {
    if (this.waiting.length >= this.options.queueLimit) {
      const waitS = Math.ceil(this.options.limits.timeoutMs / 1000);
      throw new ConsoleQueryError(`the console is busy: ${this.waiting.length} queries are waiting behind a running one; retry in ${waitS} s`, 429, waitS);
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ sql, format, tables, resolve, reject });
      this.startNext();
    });
  }

  /** Answers every waiting query with a 503 and stops the process. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.waiting.splice(0)) p.reject(new ConsoleQueryError('the console is stopping', 503));
    const child = this.process?.child;
    this.process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  private startNext(): void {
    if (this.running || this.closed) return;
    const next = this.waiting.shift();
    if (!next) return;
    this.running = next;
    void this.runOne(next)
      .then(next.resolve, next.reject)
      .finally(() => {
        this.running = undefined;
        this.startNext();
      });
  }

  private async runOne(pending: Pending): Promise<QueryAnswer | string> {
    const { limits } = this.options;
    const tables = await pending.tables();
    const proc = this.processReady();
    await proc.ready;
    const request: QueryRequest = { id: this.nextId++, sql: pending.sql, format: pending.format, limits, deadline: Date.now() + limits.timeoutMs, tables };
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        proc.child.off('message', onMessage);
        proc.child.off('exit', onExit);
      };
      const onMessage = (reply: QueryReply) => {
        if (!('id' in reply) || reply.id !== request.id) return;
        done();
        if (reply.ok) resolve(reply.answer);
        else reject(new ConsoleQueryError(reply.message, reply.status));
      };
      const onExit = () => {
        done();
        this.forget(proc.child);
        const outOfMemory = proc.stderr.join('').includes('heap limit');
        reject(new ConsoleQueryError(outOfMemory ? `the query needed more memory than the console gives one query (${this.heapMb()} MiB); select fewer or smaller values` : 'the query process stopped unexpectedly; the next query starts a new one', 400));
      };
      const timer = setTimeout(() => {
        done();
        this.forget(proc.child);
        proc.child.kill('SIGKILL');
        reject(new ConsoleQueryError(`the query ran past the console's time limit of ${limits.timeoutMs / 1000} s and was stopped`, 400));
      }, limits.timeoutMs + KILL_GRACE_MS);
      proc.child.on('message', onMessage);
      proc.child.once('exit', onExit);
      proc.child.send(request);
    });
  }

  private heapMb(): number {
    return this.options.heapMb ?? DEFAULT_HEAP_MB;
  }

  /** The query process, started when there is none. */
  private processReady(): { child: ChildProcess; ready: Promise<void>; stderr: string[] } {
    if (this.process) return this.process;
    const child = forkQueryProcess(this.heapMb());
    const stderr: string[] = [];
    // Kept short: only the cause of a crash (V8's "heap limit" line) is read from it.
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (stderr.length > 20) stderr.shift();
    });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (reply: QueryReply) => {
        if (!('ready' in reply)) return;
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        this.forget(child);
        reject(new ConsoleQueryError(`the query process could not start (exit ${code}): ${stderr.join('').trim().split('\n').at(-1) ?? ''}`, 503));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
    this.process = { child, ready, stderr };
    return this.process;
  }

  private forget(child: ChildProcess): void {
    if (this.process?.child === child) this.process = undefined;
  }
}

function forkQueryProcess(heapMb: number): ChildProcess {
  const here = import.meta.url;
  // Run from the TypeScript sources (tests, tsx) the process needs the loader; the bundle has it compiled.
  const fromSources = here.endsWith('.ts');
  const [file, args] = fromSources
    ? [new URL('../workers/ts-entry.mjs', here), [new URL('./query-process.ts', here).href]]
    : [new URL('./console-query-process.js', here), []];
  return fork(fileURLToPath(file), args, {
    execArgv: [`--max-old-space-size=${heapMb}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
}
