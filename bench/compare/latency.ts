// End-to-end latency of a streaming contender: start it on a fresh topic holding a few warm-up
// events, time its first committed file, then produce at a fixed rate (each event's id and send
// time remembered), poll the committed output with DuckDB and match rows back to their send time.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { kafkaClient } from '../../src/kafka/client.js';
import { eventStream } from '../workload/events.js';
import { produceEvents } from '../workload/producer.js';
import { BENCH_TABLES } from '../workload/tables.js';
import type { Contender } from './contenders.js';
import { startMeasured } from './measured-run.js';
import { committedParquetFiles } from './output-files.js';
import { openDuckDB, readEventIds } from './table-reader.js';

/** How the latency run produces. */
export interface LatencyOptions {
  brokers: string[];
  baseDir: string;
  ratePerSecond: number;
  seconds: number;
  /** Bound for the first committed file and for the tail of rows after producing stops. */
  waitMs: number;
  log: (line: string) => void;
  /** Told the name of the topic the run creates, so the caller can delete it afterwards. */
  onTopic?: (topic: string) => void;
}

/** What the latency run saw. */
export interface LatencyResult {
  firstFileSeconds: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  matched: number;
  expected: number;
  error?: string;
}

const POLL_MS = 100;
const WARMUP_EVENTS = 1000;
const TABLE_TYPES = new Set(BENCH_TABLES.flatMap((t) => t.eventTypes));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Measures first-file time and produce-to-visible latency of `contender` in streaming mode. */
export async function measureLatency(contender: Contender, options: LatencyOptions): Promise<LatencyResult> {
  const { log } = options;
  const topic = `bench-latency-${contender.name}-${randomUUID().slice(0, 8)}`;
  options.onTopic?.(topic);
  const dir = `${options.baseDir}/latency-${contender.name}`;
  mkdirSync(dir, { recursive: true });
  await produceEvents(topic, WARMUP_EVENTS, { seed: 3, brokers: options.brokers, log: () => {} });
  const run = contender.stream!({ topic, brokers: options.brokers, endOffsets: {}, dir });
  const tableDirs = Object.values(run.tables ?? {}).map((t) => t.dir);
  const proc = startMeasured({ ...run, timeoutMs: options.seconds * 1000 + 3 * options.waitMs + 60_000 });
  let exited = false;
  void proc.done.then(() => (exited = true));
  const conn = await openDuckDB();
  const seenFiles = new Set<string>();
  const visibleAt = new Map<string, number>();
  /** Reads files committed since the last poll; returns how many there were. */
  const poll = async (): Promise<number> => {
    const listedAt = performance.now();
    let fresh = 0;
    for (const d of tableDirs) {
      for (const file of committedParquetFiles(d)) {
        if (seenFiles.has(file)) continue;
        try {
          for (const id of await readEventIds(conn, file)) if (!visibleAt.has(id)) visibleAt.set(id, listedAt);
          seenFiles.add(file);
          fresh++;
        } catch (err) {
          if ((err as Error).message.includes('neither an event_id')) throw err;
          // Listed in the log but not readable yet: the next poll retries.
        }
      }
    }
    return fresh;
  };
  const result: LatencyResult = { firstFileSeconds: null, p50Ms: null, p99Ms: null, maxMs: null, matched: 0, expected: 0 };
  const producer = kafkaClient('gamepipe-bench-latency', options.brokers).producer();
  try {
    // 1. Start to first committed file.
    const firstDeadline = performance.now() + options.waitMs;
    while ((await poll()) === 0) {
      if (exited) throw new Error(`exited before committing a file: ${(await proc.done).stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
      if (performance.now() > firstDeadline) {
        const said = proc.errorLines.length ? `; it logged: ${proc.errorLines.slice(0, 2).join(' | ')}` : '';
        throw new Error(`no committed file within ${options.waitMs / 1000} s of start${said}`);
      }
      await sleep(POLL_MS);
    }
    result.firstFileSeconds = (performance.now() - proc.startedAt) / 1000;
    log(`${contender.name}: first committed file after ${result.firstFileSeconds.toFixed(2)} s; producing ${options.ratePerSecond} events/s for ${options.seconds} s`);

    // 2. Steady produce rate, ticks of 20 ms, while polling the output.
    const sentAt = new Map<string, number>();
    const source = eventStream(options.ratePerSecond * options.seconds, 2);
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((options.ratePerSecond * tickMs) / 1000));
    const produceStart = performance.now();
    const producing = (async () => {
      for (let tick = 0; performance.now() - produceStart < options.seconds * 1000; tick++) {
        const messages = [];
        for (let i = 0; i < perTick; i++) {
          const next = source.next();
          if (next.done) break;
          const event = next.value;
          const now = performance.now();
          event.event_ts = new Date().toISOString(); // the produce time travels with the event
          if (TABLE_TYPES.has(event.event_type!)) sentAt.set(event.event_id!, now);
          messages.push({ topic, key: event.event_id!, value: JSON.stringify(event) });
        }
        await producer.send({ acks: 1, messages });
        const wait = produceStart + (tick + 1) * tickMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
    })();
    let producingDone = false;
    // Both outcomes end the polling; a send failure is rethrown by `await producing` below.
    producing.then(
      () => (producingDone = true),
      () => (producingDone = true),
    );
    let tailDeadline = Number.POSITIVE_INFINITY;
    for (;;) {
      await poll();
      if (producingDone && tailDeadline === Number.POSITIVE_INFINITY) tailDeadline = performance.now() + options.waitMs;
      const allSeen = producingDone && [...sentAt.keys()].every((id) => visibleAt.has(id));
      if (allSeen || performance.now() > tailDeadline || exited) break;
      await sleep(POLL_MS);
    }
    await producing;
    const latencies = [...sentAt].filter(([id]) => visibleAt.has(id)).map(([id, t]) => visibleAt.get(id)! - t).sort((a, b) => a - b);
    Object.assign(result, {
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? null,
      matched: latencies.length,
      expected: sentAt.size,
    });
    if (latencies.length < sentAt.size) result.error = `${sentAt.size - latencies.length} of ${sentAt.size} rows never became visible`;
  } catch (err) {
    result.error = (err as Error).message;
  } finally {
    await producer.close().catch(() => {});
    proc.stop();
    const stopBound = setTimeout(() => {
      log(`${contender.name}: not stopped 30 s after SIGTERM, killing it`);
      proc.kill();
    }, 30_000);
    await proc.done;
    clearTimeout(stopBound);
    conn.closeSync();
  }
  return result;
}
