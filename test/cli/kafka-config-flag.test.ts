import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeKafkaConfigFlag } from '../../src/cli/kafka-config-flag.js';
import { UserError } from '../../src/user-error.js';
import { gamepipe } from '../support/gamepipe-cli.js';

const exec = promisify(execFile);
const RUN_BIN = join(import.meta.dirname, '../../bin/gamepipe-run.js');

describe('takeKafkaConfigFlag', () => {
  it('takes --kafka-config FILE or --kafka-config=FILE from anywhere and sets KAFKA_CONFIG_FILE to its absolute path', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeKafkaConfigFlag(['status', '--kafka-config', 'conf/client.properties', '--json'], env)).toEqual(['status', '--json']);
    expect(env.KAFKA_CONFIG_FILE).toBe(resolve('conf/client.properties'));
    expect(takeKafkaConfigFlag(['--kafka-config=/etc/k.properties', 'run', '--once', 'jobs'], env)).toEqual(['run', '--once', 'jobs']);
    expect(env.KAFKA_CONFIG_FILE).toBe('/etc/k.properties');
  });

  it('leaves the arguments and the environment alone without the flag, and after --', () => {
    const env: NodeJS.ProcessEnv = { KAFKA_CONFIG_FILE: '/from/env' };
    expect(takeKafkaConfigFlag(['query', '--', '--kafka-config', 'x'], env)).toEqual(['query', '--', '--kafka-config', 'x']);
    expect(env.KAFKA_CONFIG_FILE).toBe('/from/env');
  });

  it('refuses the flag without a file (usage error, exit 2)', () => {
    for (const args of [['status', '--kafka-config'], ['status', '--kafka-config', '--json'], ['status', '--kafka-config=']]) {
      let error: unknown;
      try {
        takeKafkaConfigFlag(args, {});
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe('--kafka-config needs a file: --kafka-config FILE');
      expect((error as UserError).exitCode).toBe(2);
    }
  });
});

describe('--kafka-config on the command line', () => {
  let dir: string;
  // No broker is needed: a bad file is refused before anything connects.
  const env = { ...process.env, KAFKA_BROKERS: '', KAFKA_CONFIG_FILE: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD: '' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-kafka-config-'));
    await writeFile(join(dir, 'bad.properties'), 'bootstrap.servers=kafka.example:9096\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=alice\nsasl.pasword=hunter2-password\n');
    await writeFile(join(dir, 'no-password.properties'), 'bootstrap.servers=kafka.example:9096\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.username=alice\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gamepipe status with a bad properties file prints one line naming the file and property, and exits non-zero', async () => {
    const result = await gamepipe(dir, ['status', '--kafka-config', 'bad.properties'], { env });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`gamepipe status: ${join(dir, 'bad.properties')}: unknown property 'sasl.pasword' (did you mean 'sasl.password'?)\n`);
    expect(result.stderr).not.toContain('hunter2-password');
  });

  it('gamepipe-run and other Kafka commands load the file at start, wherever the flag stands', async () => {
    const expected = `${join(dir, 'no-password.properties')}: sasl.password: PLAIN needs a password (sasl.password or KAFKA_SASL_PASSWORD)\n`;
    const query = await gamepipe(dir, ['--kafka-config', 'no-password.properties', 'query', 'SELECT 1'], { env });
    expect([query.code, query.stderr]).toEqual([1, `gamepipe query: ${expected}`]);
    const run = await exec(process.execPath, [RUN_BIN, '--once', '--kafka-config=no-password.properties', 'jobs'], { cwd: dir, env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(run).toEqual({ code: 1, stderr: `gamepipe run: ${expected}` });
  });

  it('commands that do not talk to Kafka accept the flag and do not read the file', async () => {
    const result = await gamepipe(dir, ['validate', '--kafka-config', 'bad.properties', 'nothing-here'], { env });
    expect(result.stderr).not.toContain('bad.properties');
  });
});
