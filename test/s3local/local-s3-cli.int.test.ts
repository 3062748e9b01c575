import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../src/table/storage/s3-store.js';
import { LOCAL_S3_BUCKET, type S3Env } from '../../src/s3local/s3-env.js';
import { gamepipe } from '../support/gamepipe-cli.js';
import { alive, freePort, occupiedPort } from '../support/ports.js';

/**
 * Runs `gamepipe s3 ...` for a MinIO of its own (temp GAMEPIPE_HOME, its own port), away from the
 * suite's S3; GAMEPIPE_MINIO_BIN from the global setup spares it the build.
 */
function s3(home: string, port: number, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, GAMEPIPE_HOME: home, GAMEPIPE_S3_PORT: String(port), ...extraEnv };
  if (!('AWS_ENDPOINT_URL' in extraEnv)) delete env.AWS_ENDPOINT_URL;
  return gamepipe(home, ['s3', ...args], { env });
}

/** The variables of `export NAME=value` lines. */
function parseExports(text: string): Record<string, string> {
  return Object.fromEntries(
    text.trim().split('\n').map((line) => {
      const match = /^export ([A-Z_]+)=(.*)$/.exec(line);
      if (!match) throw new Error(`not an export line: ${line}`);
      return [match[1], match[2]];
    }),
  );
}

describe('gamepipe s3', () => {
  let home: string;
  let port: number;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'gamepipe-s3-'));
    port = await freePort();
  });
  afterAll(async () => {
    await s3(home, port, ['down']);
    await rm(home, { recursive: true, force: true });
  });

  it('starts once, is a no-op the second time, serves the SDK with the env it prints, and stops only its own MinIO', async () => {
    const first = await s3(home, port, ['up']);
    expect(first.stderr).toBe('');
    expect(first.stdout.trim()).toBe(`s3 started: http://127.0.0.1:${port}`);

    const second = await s3(home, port, ['up']);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(`s3 already running: http://127.0.0.1:${port}`);

    const status = await s3(home, port, ['status']);
    expect(status.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(status.stdout)?.[1]);
    expect(alive(pid)).toBe(true);

    const printed = parseExports((await s3(home, port, ['env'])).stdout);
    expect(printed).toEqual({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      AWS_REGION: 'us-east-1',
    });
    const client = await s3Client(printed as S3Env);
    try {
      // `up` made the bucket; the printed credentials can write to it and read back.
      await client.send(new PutObjectCommand({ Bucket: LOCAL_S3_BUCKET, Key: 'cli/hello.txt', Body: 'hello from the cli test' }));
      const got = await client.send(new GetObjectCommand({ Bucket: LOCAL_S3_BUCKET, Key: 'cli/hello.txt' }));
      expect(await got.Body!.transformToString()).toBe('hello from the cli test');
    } finally {
      client.destroy();
    }

    const down = await s3(home, port, ['down']);
    expect(down.stdout.trim()).toBe(`s3 on port ${port} stopped`);
    expect(alive(pid)).toBe(false);
    const after = await s3(home, port, ['status']);
    expect(after.code).toBe(3);
    expect(after.stdout.trim()).toBe(`not running (port ${port})`);
  });

  it('starts nothing when AWS_ENDPOINT_URL names another S3', async () => {
    const other = process.env.AWS_ENDPOINT_URL!;
    const up = await s3(home, port, ['up'], { AWS_ENDPOINT_URL: other });
    expect(up.code).toBe(0);
    expect(up.stdout.trim()).toBe(`AWS_ENDPOINT_URL is set: using ${other}; no local S3 is started`);
    expect((await s3(home, port, ['status'])).code).toBe(3);
  });

  it('says in one line that the port is taken, naming GAMEPIPE_S3_PORT', async () => {
    const { port: taken, release } = await occupiedPort();
    try {
      const result = await s3(home, taken, ['up']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([
        `gamepipe s3: port ${taken} on 127.0.0.1 is taken by another process; stop it, or set GAMEPIPE_S3_PORT to another port`,
      ]);
    } finally {
      release();
    }
  });

  it('rejects a bad flag and an unknown action as one-line usage errors', async () => {
    const badPort = await s3(home, port, ['up', '--port', 'abc']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim()).toBe("gamepipe s3: --port must be a whole number from 1 to 65535, got 'abc'");

    const unknown = await s3(home, port, ['restart']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain("gamepipe s3: unknown action 'restart'; usage: gamepipe s3 up|down|status|env");
  });
});
