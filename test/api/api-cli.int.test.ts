import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTopic, uniqueTopic } from '../support/kafka.js';
import { readTopic } from './topic-events.js';

const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');

describe('gamepipe api', () => {
  it('serves on the port and topic it is given, and on SIGTERM drains and exits 0', async () => {
    const topic = uniqueTopic('api-cli');
    await createTopic(topic);
    const child = spawn(process.execPath, [BIN, 'api', '--port', '0'], { env: { ...process.env, GAMEPIPE_TOPIC: topic } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+) \(topic (\S+)\)/.exec(stdout);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`gamepipe api exited ${code}: ${stdout}`)));
      });
      expect(stdout).toContain(`(topic ${topic})`);
      const res = await fetch(`${url}/purchase_a_horse/2/Medium/1`);
      expect(res.status).toBe(200);
      const { event_id } = (await res.json()) as { event_id: string };

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stdout).toContain('game API stopped');
      const events = await readTopic(topic);
      expect(events.map((e) => [e.event.event_id, e.event.size])).toEqual([[event_id, 'medium']]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
