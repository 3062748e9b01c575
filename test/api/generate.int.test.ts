import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../api/scenario.js';
import { startApi, type RunningApi } from '../../api/server.js';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { readTopic } from './topic-events.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');

/** Runs `gamepipe generate ...`, resolving with its exit code and output whether it failed or not. */
async function generate(...args: string[]) {
  return exec(process.execPath, [BIN, 'generate', ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('scenario files', () => {
  it('reads route, host, count and an optional method', () => {
    expect(parseScenario('- { route: /a, host: h.example, count: 2 }\n- { route: /b, host: g.example, count: 1, method: post }\n', 's.yaml')).toEqual([
      { route: '/a', host: 'h.example', count: 2, method: 'GET' },
      { route: '/b', host: 'g.example', count: 1, method: 'POST' },
    ]);
  });

  it.each([
    ['- { route: /a, host: h, count: 2 }\n- { route: b, host: h, count: 1 }\n', /^s\.yaml:2: route must be a path/],
    ['- route: /a\n  host: h\n  count: 0\n', /^s\.yaml:3: count must be a whole number/],
    ['- { route: /a, host: "h h", count: 1 }\n', /^s\.yaml:1: host must be a host name/],
    ['- { route: /a, host: h, count: 1, method: PUT }\n', /^s\.yaml:1: method must be GET or POST/],
    ['- { route: /a, host: h, count: 1, hosts: 2 }\n', /^s\.yaml:1: unknown key 'hosts'/],
    ['route: /a\n', /^s\.yaml:1: a scenario is a non-empty list/],
    ['- [\n', /^s\.yaml:\d+: YAML syntax/],
  ])('refuses a bad scenario with file:line (%#)', (text, message) => {
    expect(() => parseScenario(text, 's.yaml')).toThrow(message);
  });
});

describe('gamepipe generate against a running API', () => {
  let api: RunningApi;
  let dir: string;
  beforeAll(async () => {
    const topic = uniqueTopic('api-generate');
    await createTopic(topic);
    api = await startApi({ port: 0, topic, log: () => {} });
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-generate-'));
  });
  afterAll(async () => {
    await api?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replays the example scenario, prints per-route successes, and every success is an event in the topic', async () => {
    const scenario = join(import.meta.dirname, '../../api/scenarios/example.scenario.yaml');
    const { code, stdout } = await generate(scenario, '--url', api.url, '--concurrency', '16');
    expect(code).toBe(0);
    const total = Number(/^total\s+(\d+) ok of (\d+)$/m.exec(stdout)?.[1]);
    const perRoute = [...stdout.matchAll(/^(\/\S*)\s+(\d+) ok$/gm)].map((m) => [m[1], Number(m[2])] as const);
    expect(perRoute.length).toBeGreaterThan(1);
    expect(perRoute.reduce((sum, [, n]) => sum + n, 0)).toBe(total);

    const events = await readTopic(api.topic);
    expect(events).toHaveLength(total);
    const hosts = new Set(events.map((e) => e.event.Host));
    expect(hosts.has('user1.comcast.com')).toBe(true);
    const horses = events.filter((e) => e.event.event_type === 'purchase_horse').length;
    expect(horses).toBe(perRoute.filter(([route]) => route.startsWith('/purchase_a_horse/')).reduce((s, [, n]) => s + n, 0));
  });

  it('exits non-zero and names the failures when requests are refused', async () => {
    const file = join(dir, 'bad.scenario.yaml');
    await writeFile(file, '- { route: /purchase_a_horse/3/huge/1, host: a.example, count: 3 }\n- { route: /, host: a.example, count: 2 }\n');
    const { code, stdout, stderr } = await generate(file, '--url', api.url);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^\/purchase_a_horse\/3\/huge\/1\s+0 ok\s+failed: 3x 400$/m);
    expect(stdout).toMatch(/^\/\s+2 ok$/m);
    expect(stderr).toContain('3 of 5 requests failed');
  });

  it('gives one-line errors for a bad scenario file and an unreachable API', async () => {
    const file = join(dir, 'typo.scenario.yaml');
    await writeFile(file, '- { route: /, host: a.example, count: 1 }\n- { route: /, host: a.example, cuont: 1 }\n');
    const bad = await generate(file, '--url', api.url);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(`gamepipe generate: ${file}:2: unknown key 'cuont' (allowed: route, host, count, method)`);
    const missing = await generate(join(dir, 'missing.yaml'));
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('cannot read scenario');
  });
});
