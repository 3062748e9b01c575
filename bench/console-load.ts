// How the console holds up under hostile queries (issue 18): prints how long GET / takes while a
// query that would return gigabytes runs, and how 20 concurrent slow queries are answered.
// Run: npm run bench:console (no broker needed: the example jobs' tables may be empty).
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole } from '../src/console/server.js';

const HUGE = 'SELECT range(0, 10000000) AS r FROM range(10)';
const SLOW = 'SELECT count(*) FROM range(100000000) a, range(100000) b';

const dir = await mkdtemp(join(tmpdir(), 'gamepipe-console-bench-'));
await cp(join(import.meta.dirname, '..', 'jobs'), join(dir, 'jobs'), { recursive: true });
process.chdir(dir);
const console_ = await startConsole({ paths: ['jobs'], port: 0, metricsUrl: 'http://127.0.0.1:9', sampleMs: 60_000 });
const post = async (sql: string) => {
  const began = performance.now();
  const res = await fetch(`${console_.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - began, bytes: text.length, body: text.slice(0, 120) };
};

try {
  await post('SELECT 1'); // starts the query process
  let running = true;
  const pageMs: number[] = [];
  const sampler = (async () => {
    while (running) {
      const began = performance.now();
      await (await fetch(`${console_.url}/`)).text();
      pageMs.push(performance.now() - began);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const huge = await post(HUGE);
  running = false;
  await sampler;
  console.log(`huge query: ${huge.status} after ${(huge.ms / 1000).toFixed(2)} s, ${huge.bytes} bytes: ${huge.body}`);
  console.log(`GET / during it: ${pageMs.length} requests, max ${Math.max(...pageMs).toFixed(1)} ms, median ${pageMs.sort((a, b) => a - b)[Math.floor(pageMs.length / 2)]!.toFixed(1)} ms`);

  const began = performance.now();
  const answers = await Promise.all(Array.from({ length: 20 }, () => post(SLOW)));
  const byStatus = new Map<number, number[]>();
  for (const a of answers) byStatus.set(a.status, [...(byStatus.get(a.status) ?? []), a.ms]);
  for (const [status, times] of byStatus) console.log(`20 slow queries: ${times.length} answered ${status}, slowest after ${(Math.max(...times) / 1000).toFixed(2)} s`);
  const after = await post('SELECT 1');
  console.log(`SELECT 1 after them: ${after.status} in ${after.ms.toFixed(1)} ms (all 20 settled ${((performance.now() - began) / 1000).toFixed(2)} s after they were sent)`);
} finally {
  await console_.close();
  await rm(dir, { recursive: true, force: true });
}
