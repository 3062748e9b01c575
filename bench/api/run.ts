// npm run bench:api — the game API under Apache Bench at concurrency 64: requests/s and p99 latency
// (medians of several runs), non-2xx count, and a read-back proving every acknowledged event is in
// the topic exactly once. BENCH_RUNS, BENCH_REQUESTS and BENCH_CONCURRENCY change the defaults.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createTopic, uniqueTopic } from '../../test/support/kafka.js';
import { readTopic } from '../../test/api/topic-events.js';
import { ensureAb, runAb, type AbRun } from './apache-bench.js';
import { medianOfNumbers } from '../compare/combine-runs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARMUP = 5_000;
// The horse route exercises every kind of rule (number, enum with lower-casing, integer).
const ROUTE = '/purchase_a_horse/3/Large/1';
const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');

/** Starts `gamepipe api` on a free port as its own process, as it runs in production. */
async function startApiProcess(topic: string) {
  const child = spawn(process.execPath, [BIN, 'api', '--port', '0', '--topic', topic], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.pipe(process.stderr);
  let out = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`gamepipe api exited ${code} before listening:\n${out}`)));
  });
  return {
    url,
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}

async function main(): Promise<void> {
  ensureAb();
  const topic = uniqueTopic('bench-api');
  await createTopic(topic);
  const api = await startApiProcess(topic);
  // The API, ab and the broker share this machine; its load says how much else competed.
  console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start`);
  console.log(`game API ${api.url}, topic ${topic}; ab -k -c ${CONCURRENCY} -n ${REQUESTS} ${ROUTE}, ${RUNS} runs after a ${WARMUP}-request warm-up`);

  const runs: AbRun[] = [];
  let acknowledged = 0;
  let non2xx = 0;
  try {
    const warm = await runAb(api.url + ROUTE, WARMUP, CONCURRENCY);
    acknowledged += warm.complete - warm.non2xx - warm.failed;
    non2xx += warm.non2xx + warm.failed;
    for (let i = 1; i <= RUNS; i++) {
      const run = await runAb(api.url + ROUTE, REQUESTS, CONCURRENCY);
      runs.push(run);
      acknowledged += run.complete - run.non2xx - run.failed;
      non2xx += run.non2xx + run.failed;
      console.log(`run ${i}: ${run.requestsPerSecond.toFixed(0)} requests/s, p99 ${run.p99Ms.toFixed(1)} ms, non-2xx ${run.non2xx}, failed ${run.failed}`);
    }
  } finally {
    const stopping = Date.now();
    const code = await api.stop();
    console.log(`gamepipe api stopped in ${Date.now() - stopping} ms`);
    if (code !== 0) console.error(`gamepipe api exited ${code} on SIGTERM`);
  }

  const events = await readTopic(topic);
  const distinct = new Set(events.map((e) => e.event.event_id)).size;
  const everyEventThere = events.length === acknowledged && distinct === events.length;
  console.log('');
  console.log(`median of ${RUNS} runs: ${medianOfNumbers(runs.map((r) => r.requestsPerSecond)).toFixed(0)} requests/s, p99 ${medianOfNumbers(runs.map((r) => r.p99Ms)).toFixed(1)} ms`);
  console.log(`non-2xx or failed responses: ${non2xx}`);
  console.log(`topic ${topic}: ${events.length} events, ${distinct} distinct event_ids, ${acknowledged} acknowledged -> ${everyEventThere ? 'every acknowledged event is there exactly once' : 'MISMATCH'}`);
  process.exitCode = everyEventThere && non2xx === 0 ? 0 : 1;
}

await main();
