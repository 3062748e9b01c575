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
  return (await describedMembers(group)).map((m) => m.memberId);
}

/** The client id of each member the broker holds in `group` now. */
async function memberClients(group: string): Promise<string[]> {
  return (await describedMembers(group)).map((m) => m.clientId).sort();
}

async function describedMembers(group: string): Promise<Array<{ memberId: string; clientId: string }>> {
  const admin = referenceKafka('gamepipe-test-describe').admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]!.members;
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

// The group of a running member rebalances when a second member joins: the first hears of it at
// its next heartbeat and rejoins (JoinGroup, SyncGroup, with the client's retry timers between).
// A stop landing anywhere in that rejoin must leave the group to the second member alone.
describe('a job group member stopped while its group rebalances', () => {
  it('never rejoins: the group keeps only the member that stayed, which gets every partition', { timeout: 120_000 }, async () => {
    const topic = uniqueTopic('member-rejoin');
    await createTopic(topic, 3);
    // Before the heartbeat that finds the rebalance, during the rejoin's round trips, and after it.
    const delays = [0, 300, 700, 1000, 1200, 1500, 2000, 3000];
    const results = await Promise.all(
      delays.map(async (delay, i) => {
        const job = `rejoin_${i}_${topic.slice(-8)}`;
        const first = new JobGroupMember(kafkaClient('gamepipe-test-stopped'), spec(job, topic), quiet);
        const heard: string[] = [];
        let left = false;
        await first.join({
          assigned: (p) => heard.push(`${left ? 'after leave: ' : ''}assigned ${p.join(',')}`),
          crashed: (e) => heard.push(`crashed: ${e.message}`),
        });
        const second = new JobGroupMember(kafkaClient('gamepipe-test-stays'), spec(job, topic), quiet);
        const secondGot: number[][] = [];
        const secondJoined = second.join({ assigned: (p) => secondGot.push(p), crashed: (e) => secondGot.push([-1, e.message.length]) });
        await new Promise((r) => setTimeout(r, delay));
        left = true;
        await first.leave();
        await secondJoined;
        return { group: `gamepipe.${job}`, heard, second, secondGot };
      }),
    );
    // Three heartbeat intervals and a rejoin or two later, the stopped member has not come back.
    await new Promise((r) => setTimeout(r, 5000));
    for (const { group, heard, secondGot } of results) {
      expect(await memberClients(group), group).toEqual(['gamepipe-test-stays']);
      expect(heard.filter((h) => !h.startsWith('assigned')), group).toEqual([]);
      expect(secondGot.at(-1), group).toEqual([0, 1, 2]);
    }
    await Promise.all(results.map(({ second }) => second.leave()));
  });
});

// A job whose member could not leave (the broker was away) is started again with a fresh member:
// the broker still holds the old one, and would hold the new join until its session ran out.
describe('a job group member joining as the member its job left behind', () => {
  it('takes the old member id, so the group never waits on a member that is gone', { timeout: 60_000 }, async () => {
    const topic = uniqueTopic('member-left-behind');
    await createTopic(topic, 3);
    const job = `left_behind_${topic.slice(-8)}`;
    const group = `gamepipe.${job}`;
    const kafka = kafkaClient('gamepipe-test-left-behind');
    const gone = new JobGroupMember(kafka, spec(job, topic), quiet);
    await gone.join({ assigned: () => {}, crashed: () => {} });
    const [oldId] = await members(group);
    // A process that died mid-job: its client closes without a LeaveGroup (no member id to leave).
    const client = (gone as unknown as { consumer: { memberId: string | null; close(): Promise<void> } }).consumer;
    client.memberId = null;
    await client.close();
    expect(await members(group)).toEqual([oldId]);

    const next = new JobGroupMember(kafka, spec(job, topic), quiet, { rejoinAs: oldId });
    const assigned: number[][] = [];
    await next.join({ assigned: (p) => assigned.push(p), crashed: () => {} });
    expect(assigned).toEqual([[0, 1, 2]]);
    expect(await members(group)).toEqual([oldId]);
    await next.leave();
    expect(next.leftBehind).toBeUndefined();
    expect(await members(group)).toEqual([]);
  });

  it('joins with a new id when the broker no longer knows the old one', { timeout: 60_000 }, async () => {
    const topic = uniqueTopic('member-unknown-id');
    await createTopic(topic, 3);
    const job = `unknown_id_${topic.slice(-8)}`;
    const next = new JobGroupMember(kafkaClient('gamepipe-test-left-behind'), spec(job, topic), quiet, { rejoinAs: 'gamepipe-test-left-behind-0000' });
    const assigned: number[][] = [];
    await next.join({ assigned: (p) => assigned.push(p), crashed: () => {} });
    expect(assigned).toEqual([[0, 1, 2]]);
    expect(await members(`gamepipe.${job}`)).not.toContain('gamepipe-test-left-behind-0000');
    await next.leave();
    expect(await members(`gamepipe.${job}`)).toEqual([]);
  });
});
