// `npm run screenshot:console [file]`: runs the example jobs on a topic of their own, sends them
// game API requests for a while, and photographs the console with chromium: the query view (the
// horses-by-size bar chart) to `file`, the jobs view beside it. The README's pictures come from here.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pino from 'pino';
import { startApi } from '../../api/server.js';
import { localBrokerPort } from '../broker/brokers.js';
import { usesExternalCluster } from '../kafka/connection-settings.js';
import { kafkaClient } from '../kafka/client.js';
import { ensureTopic } from '../kafka/topics.js';
import { brokerDown, brokerUp } from '../broker/local-broker.js';
import { runJobs } from '../cli/run-jobs.js';
import { launchChromium } from './chromium.js';
import { startConsole } from './server.js';
import { projectRoot } from './web-bundle.js';

const SENDING_MS = 20_000;
const SIZES = ['small', 'medium', 'medium', 'large', 'large', 'large'];
const COLORS = ['red', 'blue', 'green'];

/** The example jobs reading `topic`, every second, into `dir`/data; and one broken file to show. */
async function demoJobs(dir: string, topic: string): Promise<string> {
  const jobs = join(dir, 'jobs');
  await mkdir(jobs);
  const examples = join(projectRoot(), 'jobs');
  for (const file of (await readdir(examples)).filter((f) => f.endsWith('.job.yaml'))) {
    const text = (await readFile(join(examples, file), 'utf8'))
      .replace(/^ {2}topic: events$/m, `  topic: ${topic}`)
      .replace(/^ {2}path: data\//m, `  path: ${dir}/data/`)
      .replace(/^trigger: .*$/m, 'trigger: 1 second');
    await writeFile(join(jobs, file), text);
  }
  await writeFile(join(jobs, 'shield_purchases.job.yaml'), 'job: shield_purchases\nsource: { topic: events }\nschema:\n  size: strng\nsink: { path: data/shield_purchases }\n');
  return jobs;
}

/** A few requests a second to the game API, most of them horse purchases. */
async function sendRequests(apiUrl: string, until: number): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    const paths = [`/purchase_a_horse/${1 + (i % 5)}/${SIZES[i % SIZES.length]}/${1 + (i % 3)}`, `/purchase_a_sword/${COLORS[i % 3]}/${1 + (i % 4)}`];
    if (i % 4 === 0) paths.push(`/join_a_guild/player${i % 7}/guild${i % 3}`);
    if (i % 6 === 0) paths.push('/');
    await Promise.all(paths.map((p) => fetch(apiUrl + p).then((r) => r.arrayBuffer())));
    await new Promise((r) => setTimeout(r, 150 + ((i * 37) % 200)));
  }
}

async function main(target: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-screenshot-'));
  const port = localBrokerPort();
  const started = usesExternalCluster() ? false : (await brokerUp(port)).started;
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  if (started) stops.unshift(() => brokerDown(port));
  try {
    const topic = `console-demo-${randomUUID().slice(0, 8)}`;
    await ensureTopic(kafkaClient('gamepipe-screenshot'), topic);
    const jobsDir = await demoJobs(dir, topic);
    const jobs = await runJobs({ paths: [jobsDir], log: pino({ level: 'silent' }), once: false, metricsPort: 9465 + Math.floor(Math.random() * 500) });
    stops.unshift(() => jobs.stop());
    const api = await startApi({ port: 0, topic, log: () => {} });
    stops.unshift(() => api.close());
    const console_ = await startConsole({ paths: [jobsDir], port: 0, metricsUrl: jobs.metricsUrl, sampleMs: 1000 });
    stops.unshift(() => console_.close());
    // One record no job can read, so the rejected column has something to open.
    // Idempotent: a resent request must not write the bad record twice (docs/decisions/kafka-client.md).
    const producer = kafkaClient('gamepipe-screenshot').producer({ idempotent: true, acks: -1 });
    await producer.send({ messages: [{ topic, value: '{"event_type": "purchase_horse", "size": "large", "speed": ' }] });
    await producer.close();
    await sendRequests(api.url, Date.now() + SENDING_MS);
    await new Promise((r) => setTimeout(r, 2500));

    const browser = await launchChromium();
    stops.unshift(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    await page.goto(`${console_.url}/#query`);
    await page.click('button.run');
    await page.locator('.bar-chart canvas').waitFor();
    await mkdir(dirname(target), { recursive: true });
    await page.screenshot({ path: target });
    const jobsShot = target.replace(/\.png$/, '-jobs.png');
    await page.goto(`${console_.url}/#jobs`);
    await page.locator('tr[data-job] .sparkline canvas').first().waitFor();
    await page.screenshot({ path: jobsShot });
    console.log(`wrote ${target} and ${jobsShot}`);
  } finally {
    for (const stop of stops) await stop().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
}

await main(resolve(process.argv[2] ?? 'docs/console.png'));
