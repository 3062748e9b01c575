import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../api/server.js';
import { brokerDown, brokerPaths, brokerUp } from '../../src/broker/local-broker.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';
import { eventually } from '../support/runner-process.js';
import { readTopic } from './topic-events.js';

/** What one request got: its probe (the marker the event carries), status, body and time taken. */
interface Outcome {
  probe: string;
  status: number;
  body: { event_id?: string; error?: string };
  ms: number;
}

// Longest any answer may take: the producer's backstop (2 x 3 s ack timeout + 2 s) plus slack.
// Longer means a hang, which is what this bound catches; it is not a speed assertion.
const HANG_MS = 15_000;

/** One request carrying a fresh probe id, so a 503 (whose body has no event_id) can be looked for in the topic. */
async function send(api: RunningApi): Promise<Outcome> {
  const probe = randomUUID();
  const began = Date.now();
  const res = await fetch(`${api.url}/events/restart_probe?probe=${probe}`, { signal: AbortSignal.timeout(HANG_MS) });
  return { probe, status: res.status, body: (await res.json()) as Outcome['body'], ms: Date.now() - began };
}

/** Sends requests from `workers` concurrent loops until `until` settles. */
async function sendWhile(api: RunningApi, until: Promise<unknown>, workers = 4): Promise<Outcome[]> {
  let done = false;
  void until.finally(() => (done = true));
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!done) outcomes.push(await send(api));
    }),
  );
  await until;
  return outcomes;
}

const unknownFate = (o: Outcome) => o.status === 503 && /may or may not/.test(o.body.error ?? '');

describe('the game API against a broker that goes away and comes back', () => {
  let broker: OwnBroker | undefined;
  let api: RunningApi | undefined;
  afterAll(async () => {
    await api?.close();
    await broker?.dispose();
  });

  it('answers 503 (not recorded) while it is down, recovers, and the topic holds exactly the acknowledged events', { timeout: 150_000 }, async () => {
    broker = await startOwnBroker('gamepipe-api-restart');
    const { port, address } = broker;
    const topic = uniqueTopic('api-restart');
    await createTopic(topic);
    api = await startApi({ port: 0, topic, brokers: [address], log: () => {} });

    const before = await Promise.all(Array.from({ length: 20 }, () => send(api!)));
    expect(before.map((o) => o.status)).toEqual(before.map(() => 200));

    // A broker that stops answering with its connections open (frozen) is the documented case where a
    // send is on the wire and its fate cannot be known: the body must say so, not "not recorded".
    const { pid } = JSON.parse(await readFile(brokerPaths(port).state, 'utf8')) as { pid: number };
    process.kill(pid, 'SIGSTOP');
    let frozen: Outcome[];
    try {
      frozen = await Promise.all([send(api), send(api)]);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    for (const o of frozen) {
      expect(unknownFate(o), JSON.stringify(o)).toBe(true);
      expect(o.body.error).not.toMatch(/not recorded/);
    }

    // Requests keep coming while the broker shuts down: some are acknowledged, some refused, some in
    // flight when the connection drops.
    const during = await sendWhile(api, brokerDown(port));
    for (const o of during) expect([200, 503], JSON.stringify(o)).toContain(o.status);

    const down: Outcome[] = [];
    for (let i = 0; i < 5; i++) down.push(await send(api));
    for (const o of down) {
      expect(o.status, JSON.stringify(o)).toBe(503);
      expect(o.body.error).toMatch(/^event not recorded: .+; retry later$/);
    }
    const health = await fetch(`${api.url}/healthz`, { signal: AbortSignal.timeout(HANG_MS) });
    expect(health.status).toBe(503);

    const restarting = brokerUp(port);
    const whileRestarting = await sendWhile(api, restarting);
    const recovering: Outcome[] = [];
    await eventually(async () => {
      const o = await send(api!);
      recovering.push(o);
      return o.status === 200;
    }, 60_000, 'a 2xx after the broker is back');
    const after = await Promise.all(Array.from({ length: 20 }, () => send(api!)));
    expect(after.map((o) => o.status)).toEqual(after.map(() => 200));

    const all = [...before, ...frozen, ...during, ...down, ...whileRestarting, ...recovering, ...after];
    const inTopic = new Map<string, string[]>();
    for (const { event } of await readTopic(topic)) inTopic.set(event.probe, [...(inTopic.get(event.probe) ?? []), event.event_id]);
    const acked = all.filter((o) => o.status === 200);
    const refused = all.filter((o) => o.status === 503 && !unknownFate(o));
    const unknown = all.filter(unknownFate);
    for (const o of acked) expect(inTopic.get(o.probe), `acknowledged ${JSON.stringify(o)}`).toEqual([o.body.event_id]);
    for (const o of refused) expect(inTopic.get(o.probe), `refused ${JSON.stringify(o)}`).toBeUndefined();
    for (const o of unknown) expect(inTopic.get(o.probe)?.length ?? 0, `fate unknown ${JSON.stringify(o)}`).toBeLessThanOrEqual(1);
    const sent = new Set(all.map((o) => o.probe));
    expect([...inTopic.keys()].filter((p) => !sent.has(p))).toEqual([]);
    console.log(
      `api broker restart: ${acked.length} acknowledged, ${refused.length} refused (503), ${unknown.length} fate unknown ` +
        `(${unknown.filter((o) => inTopic.has(o.probe)).length} of them written); while the broker stopped ${during.filter((o) => o.status === 200).length} x 200, ` +
        `${during.filter((o) => o.status === 503).length} x 503; slowest answer ${Math.max(...all.map((o) => o.ms))} ms`,
    );
  });
});
