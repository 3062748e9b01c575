import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpRequest } from '../../api/http-client.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { freePort } from '../support/ports.js';
import { readTopic, topicSize } from './topic-events.js';

const BROWSER_HEADERS = {
  Host: 'user1.comcast.com',
  'User-Agent': 'gamepipe-test/1.0',
  Accept: '*/*',
  'Accept-Language': 'en-GB',
  'X-Forwarded-For': '10.1.2.3',
  Cookie: 'session=secret',
  Authorization: 'Bearer secret',
  'X-Secret': 'never copied',
};

type Init = Omit<HttpRequest, 'path'>;
/** A JSON body with the bytes 0xff 0xfe, which are never UTF-8, between `before` and `after`. */
const notUtf8 = (before: string, after: string) => Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);

const clients = new Map<string, HttpClient>();

async function call(api: RunningApi, path: string, init: Init = {}) {
  let client = clients.get(api.url);
  if (!client) clients.set(api.url, (client = new HttpClient(api.url, 500)));
  const res = await client.send({ ...init, path });
  return { status: res.status, body: JSON.parse(res.body) as Record<string, string> };
}

afterAll(() => {
  for (const client of clients.values()) client.close();
});

/** Sends `request` as raw bytes (for requests no HTTP client would send) and reads the answer until the server closes. */
function rawCall(api: RunningApi, request: string): Promise<{ status: number; body: Record<string, string> }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.end(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(text.split(' ')[1]), body: JSON.parse(body) as Record<string, string> });
    });
  });
}

/** The keys each refusal's body has: {error, parameter, rule}, except 404's {error}. */
function expectShape(status: number, body: Record<string, string>, what: string) {
  const keys = status === 404 ? ['error'] : ['error', 'parameter', 'rule'];
  expect(Object.keys(body).sort(), what).toEqual(keys);
  for (const key of keys) expect(typeof body[key], `${what}: ${key}`).toBe('string');
}

async function startOnNewTopic(): Promise<RunningApi> {
  const topic = uniqueTopic('api');
  await createTopic(topic);
  return startApi({ port: 0, topic, log: () => {} });
}

describe('the game API on a real broker', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startOnNewTopic();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('turns every route into one acknowledged event with the contract fields, copying only the whitelisted headers', async () => {
    const json = { 'Content-Type': 'application/json' };
    const calls: [string, Init, Record<string, string>][] = [
      ['/', {}, { event_type: 'default' }],
      ['/purchase_a_sword', {}, { event_type: 'purchase_sword' }],
      ['/purchase_a_sword/red/2', { method: 'POST' }, { event_type: 'purchase_sword', color: 'red', quantity: '2' }],
      ['/purchase_a_shield', {}, { event_type: 'purchase_shield' }],
      ['/purchase_a_knife', {}, { event_type: 'purchase_knife', description: 'very sharp knife' }],
      ['/upgrade_a_sword', {}, { event_type: 'upgrade_sword' }],
      ['/upgrade_a_shield/', {}, { event_type: 'upgrade_shield' }],
      ['/purchase_a_horse/3/LARGE/1', {}, { event_type: 'purchase_horse', speed: '3', size: 'large', quantity: '1' }],
      ['/join_a_guild', {}, { event_type: 'join_guild' }],
      ['/join_a_guild/ann/knights', {}, { event_type: 'join_guild', username: 'ann', guildname: 'knights' }],
      ['/guild/join?username=bob&guildname=owls', {}, { event_type: 'join_guild', action: 'join', username: 'bob', guildname: 'owls' }],
      ['/guild/leave', { method: 'POST', headers: json, body: '{"username":"bob"}' }, { event_type: 'leave_guild', action: 'leave', username: 'bob' }],
      ['/purchase/spellbook?school=fire&level=3', {}, { event_type: 'purchase_spellbook', item: 'spellbook', school: 'fire', level: '3' }],
      ['/events/level_up', { method: 'POST', headers: json, body: '{"level":7,"hero":"zed"}' }, { event_type: 'level_up', level: '7', hero: 'zed' }],
      ['/events/plain', { method: 'POST', headers: { ...json, 'Content-Encoding': 'identity' }, body: '{"a":"b"}' }, { event_type: 'plain', a: 'b' }],
    ];
    const expected = new Map<string, Record<string, string>>();
    for (const [path, init, fields] of calls) {
      const res = await call(api, path, { ...init, headers: { ...BROWSER_HEADERS, ...init.headers } });
      expect(res.status, path).toBe(200);
      expect(res.body.event_type).toBe(fields.event_type);
      expect(res.body.message.length).toBeGreaterThan(0);
      expected.set(res.body.event_id, fields);
    }

    const read = await readTopic(api.topic);
    expect(read).toHaveLength(calls.length);
    for (const { key, event } of read) {
      const fields = expected.get(event.event_id);
      expect(fields, `event ${event.event_id} was never acknowledged`).toBeDefined();
      expect(key).toBe(event.event_id);
      const { event_id, event_ts, Host, 'User-Agent': ua, Accept, 'Accept-Language': lang, 'X-Forwarded-For': xff, ...rest } = event;
      expect(rest).toEqual(fields);
      expect(event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Date(event_ts).toISOString()).toBe(event_ts);
      expect([Host, ua, Accept, lang, xff]).toEqual(['user1.comcast.com', 'gamepipe-test/1.0', '*/*', 'en-GB', '10.1.2.3']);
    }
  });

  it('refuses every invalid input with a 4xx JSON body, produces nothing for it, and keeps serving', async () => {
    const before = await topicSize(api.topic);
    const json = { 'Content-Type': 'application/json' };
    const refused: [string, Init, number, Record<string, string>][] = [
      ['/purchase_a_horse/fast/large/1', {}, 400, { parameter: 'speed', rule: 'non_negative_number' }],
      ['/purchase_a_horse/3/huge/1', {}, 400, { parameter: 'size', rule: 'one_of' }],
      ['/purchase_a_horse/3/small/-1', {}, 400, { parameter: 'quantity', rule: 'non_negative_integer' }],
      ['/purchase_a_sword/red/many', {}, 400, { parameter: 'quantity', rule: 'non_negative_integer' }],
      [`/join_a_guild/${'u'.repeat(257)}/g`, {}, 400, { parameter: 'username', rule: 'max_length' }],
      ['/guild/sell', {}, 400, { parameter: 'action', rule: 'one_of' }],
      ['/purchase/Spell%20Book', {}, 400, { parameter: 'item', rule: 'identifier' }],
      ['/events/x?event_id=forged', {}, 400, { parameter: 'event_id', rule: 'reserved' }],
      ['/events/x?a=1&a=2', {}, 400, { parameter: 'a', rule: 'single_value' }],
      ['/events/x?a=1', { method: 'POST', headers: json, body: '{"a":2}' }, 400, { parameter: 'a', rule: 'duplicate' }],
      ['/events/x', { method: 'POST', headers: json, body: '{"a":{"b":1}}' }, 400, { parameter: 'a', rule: 'scalar' }],
      ['/events/x', { method: 'POST', headers: json, body: '[1]' }, 400, { parameter: '(body)', rule: 'json_object' }],
      ['/events/x', { method: 'POST', headers: json, body: '{"a":' }, 400, { rule: 'json' }],
      ['/events/x', { method: 'POST', headers: json, body: '{"__proto__":{"x":1}}' }, 400, { rule: 'json' }],
      ['/events/x', { method: 'POST', headers: json, body: JSON.stringify({ a: 'x'.repeat(70_000) }) }, 413, { rule: 'max_body_bytes' }],
      ['/events/x', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<a/>' }, 415, {}],
      ['/events/x', { method: 'POST', headers: json, body: notUtf8('{"ok":"yes","a":"x', 'y"}') }, 400, { parameter: 'a', rule: 'utf8' }],
      ['/guild/join', { method: 'POST', headers: json, body: notUtf8('{"username":"', '"}') }, 400, { parameter: 'username', rule: 'utf8' }],
      ['/events/x', { method: 'POST', headers: json, body: notUtf8('', '{}') }, 400, { parameter: '(body)', rule: 'utf8' }],
      ['/events/x?size=%ff', {}, 400, { parameter: 'size', rule: 'utf8' }],
      ['/events/x?ok=1&%ff=1', {}, 400, { parameter: '%ff', rule: 'utf8' }],
      // The horse route takes no query parameters, but a malformed one is refused all the same.
      ['/purchase_a_horse/3/small/1?size=%ff', {}, 400, { parameter: 'size', rule: 'utf8' }],
      ['/purchase/sword?x=%E0%A4%A', {}, 400, { parameter: 'x', rule: 'percent_encoding' }],
      ['/events/x', { method: 'POST', headers: { ...json, 'Content-Encoding': 'gzip' }, body: gzipSync('{"a":"b"}') }, 415, { parameter: '(body)', rule: 'content_encoding' }],
      ['/purchase_a_sword', { headers: { 'Content-Encoding': 'br' } }, 415, { parameter: '(body)', rule: 'content_encoding' }],
      ['/no_such_route', {}, 404, {}],
      ['/purchase_a_sword', { method: 'PUT' }, 404, {}],
      // An unknown route is a 404 whatever its query string holds.
      ['/buy/sword?x=%E0%A4%A', {}, 404, {}],
      // Paths the router cannot decode: the parameter is named when a catalog route fits around it.
      ['/%zz', {}, 400, { parameter: '(path)', rule: 'percent_encoding' }],
      ['/no_such/%ff', {}, 400, { parameter: '(path)', rule: 'utf8' }],
      ['/purchase/sw%ffrd', {}, 400, { parameter: 'item', rule: 'utf8' }],
      ['/purchase/sw%E0%A4%Ard?a=1', {}, 400, { parameter: 'item', rule: 'percent_encoding' }],
      ['/purchase_a_horse/3/sm%C0%AFall/1', {}, 400, { parameter: 'size', rule: 'utf8' }],
      [`/join_a_guild/ann/${'g'.repeat(1000)}`, {}, 400, { parameter: 'guildname', rule: 'max_length' }],
      ['/purchase_a_sword', { headers: { 'X-Big': 'x'.repeat(20 * 1024) } }, 431, { parameter: '(headers)', rule: 'max_header_bytes' }],
    ];
    for (const [path, init, status, fields] of refused) {
      const res = await call(api, path, init);
      expect(res.status, path).toBe(status);
      expectShape(status, res.body, path);
      expect(res.body, path).toMatchObject(fields);
    }
    const malformed = await rawCall(api, 'POST /events/x HTTP/1.1\r\nHost: a\r\nContent-Length: ten\r\n\r\n');
    expect(malformed.status).toBe(400);
    expectShape(400, malformed.body, 'malformed Content-Length');
    expect(malformed.body).toMatchObject({ parameter: '(request)', rule: 'http' });
    const head = await clients.get(api.url)!.send({ method: 'HEAD', path: '/purchase_a_sword' });
    expect(head.status).toBe(404);
    expect(await topicSize(api.topic)).toBe(before);
    expect((await call(api, '/healthz')).status).toBe(200);
    expect((await call(api, '/')).status).toBe(200);
  });

  it('stores non-ASCII UTF-8 from a body, a query string and a path exactly as sent', async () => {
    const utf8 = await startOnNewTopic();
    try {
      // The HTTP client sends a body as application/json.
      const calls: [string, Init, Record<string, string>][] = [
        ['/purchase/sword?guild=%C3%A9lite%20%F0%9F%97%A1', { method: 'POST', body: '{"weapon":"épée 🗡","hero":"Zo\\u00eb"}' }, { guild: 'élite 🗡', weapon: 'épée 🗡', hero: 'Zoë' }],
        ['/join_a_guild/Zo%C3%AB/%C3%A9lite', {}, { username: 'Zoë', guildname: 'élite' }],
      ];
      const expected = new Map<string, Record<string, string>>();
      for (const [path, init, fields] of calls) {
        const res = await call(utf8, path, init);
        expect(res.status, path).toBe(200);
        expected.set(res.body.event_id, fields);
      }
      const read = await readTopic(utf8.topic);
      expect(read).toHaveLength(calls.length);
      for (const { event } of read) expect(event).toMatchObject(expected.get(event.event_id)!);
    } finally {
      await utf8.close();
    }
  });

  it('stores a copied header of 15 KiB cut to 1 KiB with a marker saying how much was cut', async () => {
    const long = await startOnNewTopic();
    try {
      const userAgent = 'Mozilla/5.0 '.padEnd(15 * 1024, 'x');
      const res = await call(long, '/purchase_a_shield', { headers: { ...BROWSER_HEADERS, 'User-Agent': userAgent } });
      expect(res.status).toBe(200);
      const [read] = await readTopic(long.topic);
      expect(read.event['User-Agent']).toBe(`${userAgent.slice(0, 1024)}…[cut 14336 chars]`);
      expect(read.event.Host).toBe(BROWSER_HEADERS.Host);
    } finally {
      await long.close();
    }
  });

  it('answers a burst of 500 concurrent requests, and the topic holds exactly the acknowledged events once each', async () => {
    const burst = await startOnNewTopic();
    try {
      const paths = ['/purchase_a_sword', '/purchase_a_horse/2/small/1', '/guild/join?username=a', '/purchase/potion'];
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => call(burst, paths[i % paths.length])));
      const acked = results.filter((r) => r.status === 200).map((r) => r.body.event_id);
      expect(acked.length).toBeGreaterThan(0);
      const read = await readTopic(burst.topic);
      const ids = read.map((r) => r.event.event_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...acked].sort());
      expect(acked).toHaveLength(500);
    } finally {
      await burst.close();
    }
  });

  it('finishes in-flight requests on close, then stops accepting', async () => {
    const closing = await startOnNewTopic();
    const inFlight = Array.from({ length: 100 }, () => call(closing, '/upgrade_a_sword').catch(() => ({ status: 0, body: {} as Record<string, string> })));
    // Close as soon as the first answer is out, while the rest are still being served.
    await Promise.race(inFlight);
    await closing.close();
    const results = await Promise.all(inFlight);
    const acked = results.filter((r) => r.status === 200).map((r) => r.body.event_id);
    expect(acked.length).toBeGreaterThan(0);
    // 503 is what fastify answers on a kept-alive connection once closing; 0 a refused connection.
    expect(results.every((r) => [0, 200, 503].includes(r.status))).toBe(true);
    const read = await readTopic(closing.topic);
    expect(read.map((r) => r.event.event_id).sort()).toEqual(acked.sort());
    await expect(fetch(closing.url + '/')).rejects.toThrow();
    clients.get(closing.url)?.close();
  });
});

describe('the game API without a broker', () => {
  // The broker address is a port reserved from the OS and released, so nothing listens there.
  it('answers 503 with a JSON reason, never 2xx, and /healthz says Kafka is unreachable', async () => {
    const api = await startApi({ port: 0, topic: uniqueTopic('api-down'), brokers: [`127.0.0.1:${await freePort()}`], log: () => {} });
    try {
      const results = await Promise.all([call(api, '/'), call(api, '/purchase_a_sword/red/1'), call(api, '/events/x?a=1')]);
      for (const res of results) {
        expect(res.status).toBe(503);
        expect(res.body.error).toMatch(/not recorded/);
      }
      const health = await call(api, '/healthz');
      expect(health.status).toBe(503);
      expect(health.body.kafka).toBe(false);
      expect((await call(api, '/guild/sell')).status).toBe(400);
    } finally {
      await api.close();
    }
  });
});
