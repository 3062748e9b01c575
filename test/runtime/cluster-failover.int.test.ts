import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGaps, longestCommitGaps } from '../support/commit-gaps.js';
import { suffix, uniqueTopic } from '../support/kafka.js';
import { startLoad } from '../support/load-producer.js';
import { startTestCluster, type TestCluster } from '../support/local-cluster.js';
import { readTable } from '../support/parquet-read.js';
import { readTopicWithKcat } from '../support/kcat.js';
import { RunnerProcess, eventually, runOnceWith } from '../support/runner-process.js';

const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function allEventsJob(job: string, topic: string): string {
  return `job: ${job}
source: { topic: ${topic}, start: earliest }
schema:
  event_id: string
  event_type: string
  partition: { from: $partition, type: int }
sink: { path: out/all_events }
trigger: 1 second
`;
}

/** What a fault did: the window its commit gaps are measured over. */
type Fault = { from: number; to: number };

/**
 * Runs `members` gamepipe-run processes on one job under ~1,000 events/s, applies `fault` once they
 * hold the partitions, then drains with --once and checks that the table holds every acknowledged
 * event exactly once. Prints the longest gap between commits per partition during the fault.
 */
async function underLoad(
  cluster: TestCluster,
  what: string,
  fault: (topic: string, runners: RunnerProcess[]) => Promise<Fault>,
  options: { members?: number; runnerBrokers?: string; before?: (topic: string) => Promise<void> } = {},
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-failover-'));
  try {
    const topic = uniqueTopic('failover');
    const job = `failover_${suffix(topic)}`;
    await cluster.createTopic(topic, PARTITIONS);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'all.job.yaml'), allEventsJob(job, topic));
    await options.before?.(topic);
    const env = options.runnerBrokers ? { KAFKA_BROKERS: options.runnerBrokers } : {};
    const load = startLoad(topic);
    const runners: RunnerProcess[] = [];
    try {
      for (let i = 0; i < (options.members ?? 1); i++) {
        const runner = new RunnerProcess(dir, ['jobs'], env);
        runners.push(runner);
        await runner.waitForLog((l) => l.msg === 'batch committed', 60_000);
      }
      await sleep(3000);
      const window = await fault(topic, runners);
      await sleep(5000);
      await load.stop();
      const logs = runners.flatMap((r) => r.logs);
      console.log(describeGaps(what, longestCommitGaps(logs, job, window.from, window.to)));
    } finally {
      await load.stop().catch(() => {});
      for (const runner of runners) await runner.stop('SIGTERM', 60_000).catch(() => {});
    }

    const drain = await runOnceWith(env, dir, 'jobs');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);
    // The truth is what the topic holds, read by kcat; the load producer's acknowledgements are
    // not (see load-producer.ts). Every record exactly once, in the partition it was read from.
    const topicRecords = await readTopicWithKcat(cluster.brokers.split(','), topic);
    const inTopic = topicRecords.map((r) => `${r.partition}:${(JSON.parse(r.value) as { event_id: string }).event_id}`).sort();
    const inTable = (await readTable(join(dir, 'out/all_events'))).map((r) => `${r.partition}:${r.event_id}`).sort();
    const held = new Set(inTopic.map((k) => k.split(':')[1]));
    console.log(`${what}: ${inTopic.length} records in the topic, ${inTable.length} rows; the load producer was told ${load.acked.length} acked (${load.acked.filter((id) => !held.has(id)).length} of them not in the topic), ${load.unknown.length} failed`);
    expect(inTable.length).toBe(inTopic.length);
    expect(inTable).toEqual(inTopic);
    // Every event the producer was told Kafka acknowledged, exactly once.
    const ids = inTable.map((k) => k.split(':')[1]!);
    const rows = new Set(ids);
    expect(rows.size).toBe(ids.length);
    expect(load.acked.filter((id) => !rows.has(id))).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a 3-node cluster under load, with faults', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster('gamepipe-cluster');
  }, 300_000);
  afterAll(() => cluster?.dispose());

  it('a partition leader SIGKILLed and restarted: every event exactly once', { timeout: 240_000 }, async () => {
    await underLoad(cluster, 'leader killed', async (topic) => {
      const leader = (await cluster.leaders(topic)).get(0)!;
      const from = Date.now();
      await cluster.kill(leader);
      await sleep(15_000);
      await cluster.restart(leader);
      return { from, to: Date.now() };
    });
  });

  it('a leader SIGSTOPped for 15 s, then SIGCONTed: every event exactly once', { timeout: 240_000 }, async () => {
    await underLoad(cluster, 'leader frozen 15 s', async (topic) => {
      const leader = (await cluster.leaders(topic)).get(1)!;
      const from = Date.now();
      await cluster.freeze(leader);
      await sleep(15_000);
      await cluster.thaw(leader);
      return { from, to: Date.now() };
    });
  });

  it('a preferred-leader election moves leaders back: every event exactly once', { timeout: 240_000 }, async () => {
    await underLoad(
      cluster,
      'preferred-leader election',
      async (topic) => {
        const from = Date.now();
        const errors = await cluster.electPreferred(topic, [...Array(PARTITIONS).keys()]);
        // 84: ELECTION_NOT_NEEDED, where the preferred replica led already.
        expect([...errors.values()].every((code) => code === 0 || code === 84)).toBe(true);
        expect([...errors.values()].some((code) => code === 0)).toBe(true);
        await sleep(5000);
        return { from, to: Date.now() };
      },
      {
        // Leadership away from the preferred replicas first: one node restarted leads nothing.
        before: async (topic) => {
          const leader = (await cluster.leaders(topic)).get(0)!;
          await cluster.kill(leader);
          await eventually(async () => ![...(await cluster.leaders(topic)).values()].includes(leader), 60_000, 'leaders to move');
          await cluster.restart(leader);
          await eventually(async () => [...(await cluster.isr(topic)).values()].every((isr) => isr.length === 3), 60_000, 'full ISRs');
        },
      },
    );
  });

  it('a broker listed in KAFKA_BROKERS is down at start: every event exactly once', { timeout: 240_000 }, async () => {
    let down = 0;
    await underLoad(
      cluster,
      'listed broker down at start',
      async () => {
        const from = Date.now();
        await sleep(5000);
        await cluster.restart(down);
        return { from, to: Date.now() };
      },
      {
        before: async (topic) => {
          down = 3;
          await cluster.kill(down);
          await eventually(async () => ![...(await cluster.leaders(topic)).values()].includes(down), 60_000, 'leaders to move');
        },
        // The dead broker first: a client that tries the list in order meets it first.
        runnerBrokers: [3, 1, 2].map((id) => cluster.address(id)).join(','),
      },
    );
  });

  it('two members rebalancing through a failover: every event exactly once', { timeout: 240_000 }, async () => {
    await underLoad(
      cluster,
      'two members, leader killed and a member leaving',
      async (topic, [, second]) => {
        const leader = (await cluster.leaders(topic)).get(2)!;
        const from = Date.now();
        await cluster.kill(leader);
        await sleep(3000);
        await second!.stop('SIGTERM', 60_000);
        await sleep(10_000);
        await cluster.restart(leader);
        return { from, to: Date.now() };
      },
      { members: 2 },
    );
  });
});
