import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { suffix, uniqueTopic } from '../support/kafka.js';
import { readTable } from '../support/parquet-read.js';
import { eventually } from '../support/runner-process.js';
import { gamepipe } from '../support/gamepipe-cli.js';

const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');

/** A `gamepipe start` child (what `npm start` runs), with its output collected as it comes. */
class StartProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
    this.child = spawn(process.execPath, [BIN, 'start', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The first match of `pattern` in stdout; fails early when the process exits without printing it. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    let match: RegExpExecArray | null = null;
    await eventually(() => {
      match = pattern.exec(this.stdout);
      if (!match && this.child.exitCode !== null) throw new Error(`gamepipe start exited ${this.child.exitCode}:\n${this.stdout}\n${this.stderr}`);
      return match !== null;
    }, timeoutMs, `${pattern} in the output of gamepipe start:\n${this.stdout}\n${this.stderr}`);
    return match!;
  }

  /** Resolves with the exit code, or rejects when the process is still running after `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gamepipe start still running ${timeoutMs} ms after the signal:\n${this.stdout}\n${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** One job file reading `topic` from its start into `out/<name>`, every `trigger`. */
function jobFile(name: string, topic: string, trigger: string): string {
  return [
    `job: ${name}`,
    `source: { topic: ${topic}, start: earliest }`,
    'schema:',
    '  event_id: string',
    '  event_type: string',
    '  color: string',
    `sink: { path: out/${name} }`,
    `trigger: ${trigger}`,
    '',
  ].join('\n');
}

describe('gamepipe start (npm start) as a child process', () => {
  let dir: string;
  let first: StartProcess | undefined;
  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the API into the job tables, refuses a second start, and on SIGINT commits the last request and exits 0', { timeout: 120_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-start-'));
    const topic = uniqueTopic('start');
    const id = suffix(topic);
    // A job name is its consumer group: names of this test's own. `live` commits every 200 ms; `at_exit`
    // never reaches its trigger during the test, so the last request's row in its table can only come
    // from the commit on SIGINT (a job may commit its very first records at once).
    const live = `start_live_${id}`;
    const atExit = `start_at_exit_${id}`;
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'live.job.yaml'), jobFile(live, topic, '200ms'));
    await writeFile(join(dir, 'jobs', 'at-exit.job.yaml'), jobFile(atExit, topic, '1 hour'));
    // KAFKA_BROKERS (set by the global setup) names the test broker, so start runs no broker of its own.
    const env: NodeJS.ProcessEnv = { ...process.env, GAMEPIPE_HOME: join(dir, '.gamepipe'), GAMEPIPE_TOPIC: topic };
    delete env.PORT;

    first = new StartProcess(dir, env, ['--port', '0', '--metrics-port', '0', '--console-port', '0']);
    const [, url, apiTopic] = await first.waitFor(/game API listening on (http:\/\/127\.0\.0\.1:\d+) \(topic (\S+)\)/);
    expect(apiTopic).toBe(topic);
    await first.waitFor(/gamepipe is running: 2 job\(s\)/);
    const [, consoleUrl] = await first.waitFor(/ {2}console {3}(http:\/\/127\.0\.0\.1:\d+) /);
    const consoleJobs = (await fetch(`${consoleUrl}/api/jobs`).then((r) => r.json())) as { job: string }[];
    expect(consoleJobs.map((j) => j.job).sort()).toEqual([atExit, live].sort());

    const send = async (path: string) => {
      const res = await fetch(url + path);
      const body = (await res.json()) as { event_id: string; event_type: string };
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body;
    };
    const red = await send('/purchase_a_sword/red/1');
    expect(red.event_type).toBe('purchase_sword');
    await eventually(async () => (await readTable(join(dir, 'out', live))).length > 0, 30_000, `the ${live} table`);
    expect((await readTable(join(dir, 'out', live))).map((r) => [r.event_id, r.event_type, r.color])).toEqual([[red.event_id, 'purchase_sword', 'red']]);

    const second = await gamepipe(dir, ['start', '--port', '0', '--metrics-port', '0'], { env });
    expect(second.code).not.toBe(0);
    expect(second.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^gamepipe start: already running \\(pid ${first.child.pid}\\)`))]);

    const blue = await send('/purchase_a_sword/blue/2');
    first.child.kill('SIGINT');
    const began = Date.now();
    expect(await first.exitWithin(30_000)).toBe(0);
    console.log(`gamepipe start exited ${Date.now() - began} ms after SIGINT`);
    expect(first.stdout).toMatch(/SIGINT: stopping[\s\S]*\nstopped\n/);
    expect(existsSync(join(dir, '.gamepipe', 'start.pid'))).toBe(false);

    const sent = [red.event_id, blue.event_id].sort();
    for (const job of [live, atExit]) {
      const ids = (await readTable(join(dir, 'out', job))).map((r) => r.event_id as string);
      expect(ids.sort(), job).toEqual(sent);
    }
  });
});
