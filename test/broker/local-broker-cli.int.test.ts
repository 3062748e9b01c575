import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gamepipeKafka } from '../support/gamepipe-cli.js';
import { alive, freePort, occupiedPort } from '../support/ports.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';


describe('gamepipe kafka', () => {
  let home: string;
  let port: number;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'gamepipe-broker-'));
    port = await freePort();
  });
  afterAll(async () => {
    await gamepipeKafka(home, port, 'down');
    await rm(home, { recursive: true, force: true });
  });

  it('starts once, is a no-op the second time, and stops only its own broker', async () => {
    const first = await gamepipeKafka(home, port, 'up');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`kafka started: 127.0.0.1:${port}`);

    const second = await gamepipeKafka(home, port, 'up');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`kafka already running: 127.0.0.1:${port}`);

    const status = await gamepipeKafka(home, port, 'status');
    const pid = Number(/pid (\d+)/.exec(status.stdout)?.[1]);
    expect(alive(pid)).toBe(true);

    const down = await gamepipeKafka(home, port, 'down');
    expect(down.stdout).toContain('stopped');
    expect(alive(pid)).toBe(false);
    expect((await gamepipeKafka(home, port, 'status')).code).toBe(3);
  });

  it('says in one line that the port is taken, and exits non-zero', async () => {
    const { port: taken, release } = await occupiedPort();
    try {
      const result = await gamepipeKafka(home, taken, 'up');
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        `gamepipe kafka: port ${taken} on 127.0.0.1 is taken by another process; stop it, or set GAMEPIPE_KAFKA_PORT to another port`,
      ]);
    } finally {
      release();
    }
  });

  it('rejects a bad flag as a usage error', async () => {
    const result = await gamepipeKafka(home, port, 'up', '--port', 'abc');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("gamepipe kafka: --port must be a whole number from 1 to 65535, got 'abc'");
  });
});
