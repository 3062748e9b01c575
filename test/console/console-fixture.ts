import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsole, type RunningConsole } from '../../src/console/server.js';
import { seedEvents, produce, type GameEvent } from '../support/events.js';
import { writeExampleJobs } from '../support/example-jobs.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { freePort } from '../support/ports.js';
import { RunnerProcess, eventually } from '../support/runner-process.js';

/** A job file with a type error on line 4, column 6: the console must show it as invalid. */
export const BROKEN_JOB = 'job: broken_one\nsource: { topic: nowhere }\nschema:\n  a: strng\nsink: { path: data/broken_one }\n';

/** The example jobs run by a real runner on a topic of their own, and a console over them. */
export interface ConsoleFixture {
  dir: string;
  /** Example job name -> this fixture's job name (suffixed: a job name is its consumer group). */
  names: Record<string, string>;
  events: GameEvent[];
  /** Horse purchases whose speed is no number, so they become dead letters. */
  badHorses: GameEvent[];
  runner: RunnerProcess;
  console: RunningConsole;
  dispose(): Promise<void>;
}

/**
 * Starts a runner on the example jobs and a console sampling every 300 ms, then produces seed
 * events (and two bad horses) and waits until every job has committed up to the topic's end.
 */
export async function startConsoleFixture(options: { events: number; rowLimit?: number; timeoutMs?: number }): Promise<ConsoleFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-console-'));
  const topic = uniqueTopic('console');
  await createTopic(topic, 2);
  const names = await writeExampleJobs(dir, topic, randomUUID().slice(0, 6), dir);
  await writeFile(join(dir, 'jobs', 'broken.job.yaml'), BROKEN_JOB);
  const metricsPort = await freePort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  const runner = new RunnerProcess(dir, ['--metrics-port', String(metricsPort), 'jobs']);
  await eventually(async () => (await fetch(`${metricsUrl}/status`).catch(() => undefined))?.ok === true, 30_000, 'the runner /status');
  const console = await startConsole({ paths: [join(dir, 'jobs')], port: 0, metricsUrl, sampleMs: 300, rowLimit: options.rowLimit, timeoutMs: options.timeoutMs });
  // The sampler's first round is its baseline: rows counted after it are the rates the chart shows.
  await new Promise((r) => setTimeout(r, 1000));

  const events = seedEvents(options.events);
  const badHorses = ['fast', 'slow'].map((speed) => ({ ...events[1]!, event_id: randomUUID(), speed }));
  await produce(topic, [...events, ...badHorses]);
  const total = events.length + badHorses.length;
  await eventually(async () => {
    const status = (await fetch(`${metricsUrl}/status`).then((r) => r.json()).catch(() => undefined)) as { lag: { end: number; lag: number }[] } | undefined;
    const ends = status?.lag.reduce((s, l) => s + l.end, 0) ?? 0;
    return status !== undefined && status.lag.length === 10 && ends === 5 * total && status.lag.every((l) => l.lag === 0);
  }, 60_000, 'every job to commit up to the end of the topic');

  return {
    dir,
    names,
    events,
    badHorses,
    runner,
    console,
    async dispose() {
      await console.close();
      await runner.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** sum(quantity) of the valid horse purchases per size, sorted by size: what the horses query must answer. */
export function horsesBySize(events: GameEvent[]): [string, number][] {
  const sums = new Map<string, number>();
  for (const e of events) if (e.event_type === 'purchase_horse') sums.set(e.size!, (sums.get(e.size!) ?? 0) + Number(e.quantity));
  return [...sums].sort(([a], [b]) => a.localeCompare(b));
}
