import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailover, longestAckToCommit, longestCommitGaps, resumeAfterElections } from '../support/commit-gaps.js';
import { suffix, uniqueTopic } from '../support/kafka.js';
import { startLoad } from '../support/load-producer.js';
import { startTestCluster, type TestCluster } from '../support/local-cluster.js';
import { topicAndTable } from '../support/table-vs-topic.js';
import { leadersAsKnownBy } from '../support/partition-leaders.js';
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
  offset: { from: $offset, type: long }
sink: { path: out/all_events }
trigger: 1 second
`;
}

/**
 * What a fault did: the window its commit gaps are measured over, the node it failed, whose
 * partitions are expected to move, and that node's restart, which the drain does not wait for
 * (the next case needs it: a topic's 3 replicas are placed on live nodes only).
 */
type Fault = { from: number; to: number; failed?: number; recovered?: Promise<void> };

/**
 * Asks every node for the partitions' leaders four times a second until stopped; records when a
 * node first named a new leader for each partition (a killed or frozen node just does not answer).
 */
function watchLeaders(cluster: TestCluster, topic: string, before: Map<number, number>) {
  const elected = new Map<number, number>();
  let watching = true;
  const done = (async () => {
    while (watching) {
      const asked = Date.now();
      await Promise.all(
        [...cluster.ports.keys()].map(async (id) => {
          const now = await leadersAsKnownBy(cluster.address(id), topic).catch(() => new Map<number, number>());
          for (const [partition, leader] of now) {
            if (leader >= 0 && leader !== before.get(partition) && !elected.has(partition)) elected.set(partition, asked);
          }
        }),
      );
      await sleep(Math.max(0, 250 - (Date.now() - asked)));
    }
  })();
  return {
    async stop(): Promise<Map<number, number>> {
      watching = false;
      await done;
      return elected;
    },
  };
}

/**
 * Runs `members` gamepipe-run processes on one job under ~1,000 events/s, applies `fault` once they
 * hold the partitions, then drains with --once and checks the table: every acknowledged event
 * exactly once, and exactly the records the topic holds as kcat reads them. Prints, per fault, the
 * longest gap between commits of the partitions whose leader stayed, and for each partition that
 * moved, when its new leader was seen and how long its first commit took after that.
 */
async function underLoad(
  cluster: TestCluster,
  what: string,
  fault: (topic: string, runners: RunnerProcess[]) => Promise<Fault>,
  options: { members?: number; runnerBrokers?: string; before?: (topic: string) => Promise<void> } = {},
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gamepipe-failover-'));
  let recovered: Promise<void> | undefined;
  try {
    const topic = uniqueTopic('failover');
    const job = `failover_${suffix(topic)}`;
    await cluster.createTopic(topic, PARTITIONS);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'all.job.yaml'), allEventsJob(job, topic));
    await options.before?.(topic);
    const env = options.runnerBrokers ? { KAFKA_BROKERS: options.runnerBrokers } : {};
    const load = startLoad(topic, PARTITIONS);
    const runners: RunnerProcess[] = [];
    let logs: Record<string, unknown>[] = [];
    try {
      for (let i = 0; i < (options.members ?? 1); i++) {
        const runner = new RunnerProcess(dir, ['jobs'], env);
        runners.push(runner);
        await runner.waitForLog((l) => l.msg === 'batch committed', 60_000);
      }
      await sleep(2000);
      const before = await cluster.leaders(topic);
      const watcher = watchLeaders(cluster, topic, before);
      const window = await fault(topic, runners);
      recovered = window.recovered;
      // Awaited after the drain; a failed restart is reported there, not as an unhandled rejection.
      recovered?.catch(() => {});
      await sleep(2000);
      const elected = await watcher.stop();
      await load.stop();
      logs = runners.flatMap((r) => r.logs);
      const loggedUntil = Date.now();
      const stayedPartitions = [...before].filter(([p, leader]) => leader !== window.failed && !elected.has(p)).map(([p]) => p);
      const onlyStayed = (m: Map<number, number>) => new Map([...m].filter(([p]) => stayedPartitions.includes(p)));
      const writes = load.sends.flatMap((send) =>
        (send.answer ?? []).filter((a) => a.partition === send.partition && a.errorCode === 0).map((a) => ({ partition: send.partition, last: Number(a.baseOffset) + send.ids.length - 1, at: send.ended })),
      );
      console.log(
        describeFailover(what, {
          from: window.from,
          stayed: onlyStayed(longestCommitGaps(logs, job, window.from, window.to)),
          ackToCommit: longestAckToCommit(logs, job, writes, window.from, window.to, loggedUntil),
          elected,
          resumed: resumeAfterElections(logs, job, elected),
          end: loggedUntil,
        }),
      );
    } finally {
      await load.stop().catch(() => {});
      for (const runner of runners) await runner.stop('SIGTERM', 60_000).catch(() => {});
    }

    const drain = await runOnceWith(env, dir, 'jobs');
    expect(drain.stderr).toBe('');
    expect(drain.code).toBe(0);
    const { topicRecords, tableRows, inTopic, inTable } = await topicAndTable(cluster.brokers.split(','), topic, join(dir, 'out/all_events'));
    if (process.env.FAILOVER_DIAG) {
      // What a failure is read from: every send and its answer, the topic as kcat read it, the table, the logs.
      await mkdir(process.env.FAILOVER_DIAG, { recursive: true });
      const name = join(process.env.FAILOVER_DIAG, what.replace(/\W+/g, '-'));
      const kcat = topicRecords.map((r) => ({ partition: r.partition, offset: r.offset, key: r.key, id: (JSON.parse(r.value) as { event_id: string }).event_id }));
      const table = tableRows.map((r) => ({ partition: r.partition, offset: String(r.offset), id: r.event_id }));
      await writeFile(`${name}.json`, JSON.stringify({ topic, sends: load.sends, kcat, table, drain: drain.stdout }));
      await writeFile(`${name}.runners.jsonl`, logs.map((l) => JSON.stringify(l)).join('\n'));
    }
    console.log(`${what}: ${inTopic.length} records in the topic, ${inTable.length} rows, ${load.acked.length} events acknowledged, ${load.unknown.length} of failed sends`);
    // Every acknowledged event exactly once.
    const ids = tableRows.map((r) => r.event_id as string);
    const rows = new Set(ids);
    expect(rows.size).toBe(ids.length);
    expect(load.acked.filter((id) => !rows.has(id))).toEqual([]);
    // Exactly what the topic holds (events of failed sends included where Kafka wrote them), each
    // in the partition it was read from.
    expect(inTable).toEqual(inTopic);
    await recovered;
  } finally {
    await recovered?.catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a 3-node cluster under load, with faults', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster('gamepipe-cluster');
  }, 300_000);
  afterAll(() => cluster?.dispose());

  it('a partition leader SIGKILLed, restarted after its partitions moved: every event exactly once', { timeout: 180_000 }, async () => {
    await underLoad(cluster, 'leader killed', async (topic) => {
      const leader = (await cluster.leaders(topic)).get(0)!;
      const from = Date.now();
      await cluster.kill(leader);
      await eventually(async () => ![...(await cluster.leaders(topic)).values()].includes(leader), 60_000, 'leaders to move');
      await sleep(3000);
      return { from, to: Date.now(), failed: leader, recovered: cluster.restart(leader) };
    });
  });

  // 25 s: past the controller's fencing of the frozen node, so its partitions move while it is
  // frozen. A 15 s freeze (thawed before the moves settle) had the same outcome in every run
  // (bench/cluster-failover.md) and is left to that file's figures, for the CI time budget.
  for (const seconds of [25]) {
    it(`a leader SIGSTOPped for ${seconds} s, then SIGCONTed: every event exactly once`, { timeout: 180_000 }, async () => {
      await underLoad(cluster, `leader frozen ${seconds} s`, async (topic) => {
        const leader = (await cluster.leaders(topic)).get(1)!;
        const from = Date.now();
        await cluster.freeze(leader);
        await sleep(seconds * 1000);
        await cluster.thaw(leader);
        return { from, to: Date.now(), failed: leader };
      });
    });
  }

  it('a preferred-leader election moves leaders back: every event exactly once', { timeout: 180_000 }, async () => {
    await underLoad(
      cluster,
      'preferred-leader election',
      async (topic) => {
        const from = Date.now();
        const errors = await cluster.electPreferred(topic, [...Array(PARTITIONS).keys()]);
        expect([...errors.values()]).toEqual(Array(PARTITIONS).fill(0));
        await sleep(3000);
        return { from, to: Date.now() };
      },
      // Preferred replicas that do not lead: the election moves every partition's leader.
      { before: (topic) => cluster.rotatePreferredReplicas(topic) },
    );
  });

  it('a broker listed in KAFKA_BROKERS is down at start: every event exactly once', { timeout: 180_000 }, async () => {
    let down = 0;
    await underLoad(
      cluster,
      'listed broker down at start',
      async () => {
        const from = Date.now();
        await sleep(3000);
        return { from, to: Date.now(), failed: down, recovered: cluster.restart(down) };
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

  it('gamepipe-run --once started just after a leader is SIGKILLed: every event exactly once', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-failover-'));
    const topic = uniqueTopic('failover');
    let killed: number | undefined;
    let recovered: Promise<void> | undefined;
    try {
      await cluster.createTopic(topic, PARTITIONS);
      await mkdir(join(dir, 'jobs'));
      await writeFile(join(dir, 'jobs', 'all.job.yaml'), allEventsJob(`failover_${suffix(topic)}`, topic));
      const load = startLoad(topic, PARTITIONS);
      await sleep(1000);
      await load.stop();
      killed = (await cluster.leaders(topic)).get(0)!;
      await cluster.kill(killed);
      // Its partitions still name it as their leader, and KAFKA_BROKERS lists it.
      const drain = await runOnceWith({}, dir, 'jobs');
      recovered = cluster.restart(killed);
      recovered.catch(() => {});
      expect(drain.stderr).toBe('');
      expect(drain.code).toBe(0);
      const { tableRows: rows, inTopic, inTable } = await topicAndTable(cluster.brokers.split(','), topic, join(dir, 'out/all_events'));
      const ids = new Set(rows.map((r) => r.event_id as string));
      expect(ids.size).toBe(rows.length);
      expect(load.acked.filter((id) => !ids.has(id))).toEqual([]);
      expect(inTable).toEqual(inTopic);
      await recovered;
    } finally {
      if (recovered) await recovered.catch(() => {});
      else if (killed !== undefined) await cluster.restart(killed);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two members rebalancing through a failover: every event exactly once', { timeout: 180_000 }, async () => {
    await underLoad(
      cluster,
      'two members, leader killed and a member leaving',
      async (topic, [, second]) => {
        const leader = (await cluster.leaders(topic)).get(2)!;
        const from = Date.now();
        await cluster.kill(leader);
        await sleep(2000);
        await second!.stop('SIGTERM', 60_000);
        await eventually(async () => ![...(await cluster.leaders(topic)).values()].includes(leader), 60_000, 'leaders to move');
        await sleep(3000);
        return { from, to: Date.now(), failed: leader, recovered: cluster.restart(leader) };
      },
      { members: 2 },
    );
  });
});
