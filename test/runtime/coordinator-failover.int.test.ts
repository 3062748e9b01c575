import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaClient } from '../../src/kafka/client.js';
import { describeGaps, longestCommitGaps } from '../support/commit-gaps.js';
import { suffix, uniqueTopic } from '../support/kafka.js';
import { readTopicWithKcat } from '../support/kcat.js';
import { startLoad } from '../support/load-producer.js';
import { startTestCluster, type TestCluster } from '../support/local-cluster.js';
import { readTable } from '../support/parquet-read.js';
import { RunnerProcess, runOnceWith } from '../support/runner-process.js';

const PARTITIONS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The cluster's client ports: this file's own, apart from other suites' brokers. */
function clusterPorts(): [number, number, number] {
  const base = Number(process.env.GAMEPIPE_TEST_CLUSTER_PORT ?? 9650);
  return [base, base + 1, base + 2];
}

function allEventsJob(job: string, topic: string): string {
  return `job: ${job}
source: { topic: ${topic}, start: earliest }
schema:
  event_id: string
  partition: { from: $partition, type: int }
sink: { path: out/all_events }
trigger: 1 second
`;
}

type Line = Record<string, unknown>;
const at = (line: Line) => Date.parse(line.time as string);

describe("a job's group coordinator SIGKILLed under load", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster('gamepipe-coordinator', clusterPorts());
  }, 300_000);
  afterAll(() => cluster?.dispose());

  it('the member finds the new coordinator, the job never restarts, and every partition keeps committing', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-coordinator-'));
    try {
      const topic = uniqueTopic('coordinator');
      const job = `coordinator_${suffix(topic)}`;
      const admin = kafkaClient('gamepipe-test-coordinator').admin();
      let coordinator: number;
      try {
        coordinator = await admin.groupCoordinator(`gamepipe.${job}`);
      } finally {
        await admin.disconnect();
      }
      // The topic lives on the two other nodes: the kill moves no leader and shrinks no ISR of it,
      // so every partition keeps receiving records, and only the group's coordinator is lost.
      const others = [...cluster.ports.keys()].filter((id) => id !== coordinator);
      await cluster.createTopic(topic, PARTITIONS, others);
      await mkdir(join(dir, 'jobs'));
      await writeFile(join(dir, 'jobs', 'all.job.yaml'), allEventsJob(job, topic));

      const load = startLoad(topic);
      const runner = new RunnerProcess(dir, ['jobs']);
      let from: number;
      let to: number;
      try {
        await runner.waitForLog((l) => l.msg === 'batch committed', 60_000);
        await sleep(3000);
        from = Date.now();
        await cluster.kill(coordinator);
        await runner.waitForLog((l) => l.msg === 'consumer group coordinator found again; member rejoined', 120_000);
        await sleep(5000);
        to = Date.now();
        await load.stop();
      } finally {
        await load.stop().catch(() => {});
        await runner.stop('SIGTERM', 60_000).catch(() => {});
      }
      const logs = runner.logs;
      console.log(describeGaps('group coordinator killed', longestCommitGaps(logs, job, from, to)));

      // One move, logged, and no restart of the job.
      const lost = logs.filter((l) => l.msg === 'lost the consumer group coordinator; finding it again while the job reads on');
      const found = logs.filter((l) => l.msg === 'consumer group coordinator found again; member rejoined');
      expect(lost).toHaveLength(1);
      expect(lost[0]).toMatchObject({ job, coordinator });
      expect(found).toHaveLength(1);
      expect(found[0]!.to).not.toBe(coordinator);
      console.log(`coordinator ${coordinator} killed: lost ${at(lost[0]!) - from} ms after the kill, found again ${found[0]!.afterMs} ms later (node ${found[0]!.to})`);
      expect(logs.filter((l) => l.msg === 'job started')).toHaveLength(1);
      expect(logs.filter((l) => /job failed|restarts/.test(String(l.msg)))).toEqual([]);

      // While the member looked for its coordinator, every partition kept committing.
      const commits = logs.filter((l) => l.msg === 'batch committed' && l.job === job);
      const whileMoving = commits.filter((c) => at(c) > at(lost[0]!) && at(c) < at(found[0]!));
      const partitionsCommitted = new Set(whileMoving.map((c) => c.partition as number));
      console.log(`commits while the member looked for its coordinator: ${whileMoving.length}, of partitions ${[...partitionsCommitted].sort().join(', ')}`);
      expect([...partitionsCommitted].sort()).toEqual([...Array(PARTITIONS).keys()]);

      // Exactly once: the table holds the records kcat reads from the topic, each once.
      const drain = await runOnceWith({ KAFKA_BROKERS: others.map((id) => cluster.address(id)).join(',') }, dir, 'jobs');
      expect(drain.stderr).toBe('');
      expect(drain.code).toBe(0);
      const topicRecords = await readTopicWithKcat(others.map((id) => cluster.address(id)), topic);
      const inTopic = topicRecords.map((r) => `${r.partition}:${(JSON.parse(r.value) as { event_id: string }).event_id}`).sort();
      const inTable = (await readTable(join(dir, 'out/all_events'))).map((r) => `${r.partition}:${r.event_id}`).sort();
      console.log(`group coordinator killed: ${inTopic.length} records in the topic, ${inTable.length} rows`);
      expect(inTable.length).toBe(inTopic.length);
      expect(inTable).toEqual(inTopic);
      expect(inTopic.length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
