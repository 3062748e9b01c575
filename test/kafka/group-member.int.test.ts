import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/dsl/job-spec.js';
import { kafkaClient } from '../../src/kafka/client.js';
import { JobGroupMember } from '../../src/kafka/group-member.js';
import type { Logger } from '../../src/logger.js';
import { createTopic, referenceKafka, uniqueTopic } from '../support/kafka.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;

function spec(job: string, topic: string): JobSpec {
  return { job, source: { topic } } as unknown as JobSpec;
}

/** The members the broker holds in `group` now, as Kafka's own admin describes them. */
async function members(group: string): Promise<string[]> {
  const admin = referenceKafka('gamepipe-test-describe').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]!.members.map((m) => m.memberId);
  } finally {
    await admin.disconnect();
  }
}

// A broker of this file's own, created just before: its group coordinators are still loading when
// the first members join (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR), so every join below
// races the client's retries and retry timers as well as the leave.
describe('a job group member on a cluster created seconds ago', () => {
  let broker: OwnBroker | undefined;
  let topic: string;
  beforeAll(async () => {
    broker = await startOwnBroker('gamepipe-group-member');
    topic = uniqueTopic('group-member');
    await createTopic(topic, 3);
  }, 300_000);
  afterAll(() => broker?.dispose());

  it('stopped at any point of its join, leaves no member in the group and never joins again', { timeout: 120_000 }, async () => {
    const kafka = kafkaClient('gamepipe-test-member');
    // Leaves at once, during the coordinator lookup, the join round trips, and after the join.
    const delays = [0, 5, 20, 50, 100, 200, 400, 800, 1500];
    const runs = delays.map(async (delay, i) => {
      const job = `member_${i}_${topic.slice(-8)}`;
      const member = new JobGroupMember(kafka, spec(job, topic), quiet);
      const heard: string[] = [];
      const joined = member.join({ assigned: () => heard.push('assigned'), crashed: (e) => heard.push(`crashed: ${e.message}`) }).then(
        () => 'joined',
        (e: Error) => `failed: ${e.message}`,
      );
      await new Promise((r) => setTimeout(r, delay));
      await member.leave();
      const outcome = await joined;
      return { group: `gamepipe.${job}`, outcome, heard };
    });
    const results = await Promise.all(runs);
    for (const { group, outcome } of results) {
      expect(outcome, group).toBe('joined');
      expect(await members(group), group).toEqual([]);
    }
    // Three heartbeat intervals and a retry or two later, none came back.
    await new Promise((r) => setTimeout(r, 5000));
    for (const { group, heard } of results) {
      expect(await members(group), group).toEqual([]);
      expect(heard.filter((h) => h.startsWith('crashed')), group).toEqual([]);
    }
  });

  it('joined and then stopped, leaves at once (no session timeout to wait out)', { timeout: 60_000 }, async () => {
    const job = `member_joined_${topic.slice(-8)}`;
    const member = new JobGroupMember(kafkaClient('gamepipe-test-member'), spec(job, topic), quiet);
    const assigned: number[][] = [];
    await member.join({ assigned: (p) => assigned.push(p), crashed: () => {} });
    expect(assigned).toEqual([[0, 1, 2]]);
    expect(await members(`gamepipe.${job}`)).toHaveLength(1);
    await member.leave();
    expect(await members(`gamepipe.${job}`)).toEqual([]);
  });
});
