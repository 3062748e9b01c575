import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBrokerSecurity, securityFiles } from '../../src/broker/broker-security.js';
import { gamepipeHome } from '../../src/broker/local-broker.js';
import { ensureKafkaJars } from '../../src/broker/provision.js';
import { BrokerConnection } from '../../src/kafka/broker-connection.js';
import { loadKafkaSettings } from '../../src/kafka/connection-settings.js';
import { decodeFetchResponse, encodeFetchRequest, KafkaErrorCode } from '../../src/kafka/fetch-wire.js';
import { portIsFree } from '../../src/local-service/ports.js';
import { gamepipeKafka } from '../support/gamepipe-cli.js';
import { freePort } from '../support/ports.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/gamepipe.js');
const RUN_BIN = join(import.meta.dirname, '../../bin/gamepipe-run.js');

/** A free port whose next two ports (the secure listeners') are free too. */
async function portWithTwoFreeAfter(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65533 && (await portIsFree(port + 1)) && (await portIsFree(port + 2))) return port;
  }
}

describe('gamepipe kafka up --security sasl_ssl', () => {
  let home: string;
  let port: number;
  beforeAll(async () => {
    // The jars and certificates of the project's home, so this test runs neither Maven nor keytool again.
    const projectKafka = join(gamepipeHome(), 'kafka');
    const jars = await ensureKafkaJars(projectKafka);
    await prepareBrokerSecurity(projectKafka, { saslSslPort: 0, sslPort: 0 });
    home = await mkdtemp(join(tmpdir(), 'gamepipe-secure-cli-'));
    await mkdir(join(home, 'kafka'), { recursive: true });
    await symlink(join(jars, '..'), join(home, 'kafka', jars.split('/').at(-2)!));
    await symlink(securityFiles(projectKafka).dir, securityFiles(join(home, 'kafka')).dir);
    port = await portWithTwoFreeAfter();
  }, 300_000);
  afterAll(async () => {
    await gamepipeKafka(home, port, 'down');
    await rm(home, { recursive: true, force: true });
  });

  it('starts the secure listeners, prints them and the properties files, which authenticate', async () => {
    const up = await gamepipeKafka(home, port, 'up', '--security', 'sasl_ssl');
    expect(up.stderr).toBe('');
    const saslSslFile = join(home, 'kafka', 'client-sasl_ssl.properties');
    const mtlsFile = join(home, 'kafka', 'client-mtls.properties');
    expect(up.stdout.trim().split('\n')).toEqual([
      `SASL_SSL listener: 127.0.0.1:${port + 1} (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)`,
      `SSL listener: 127.0.0.1:${port + 2} (client certificate required)`,
      `client properties (SCRAM-SHA-512 over SASL_SSL): ${saslSslFile}`,
      `client properties (mutual TLS): ${mtlsFile}`,
      `kafka started: 127.0.0.1:${port}`,
    ]);
    expect(await readFile(saslSslFile, 'utf8')).toContain(`bootstrap.servers=127.0.0.1:${port + 1}\nsecurity.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n`);
    for (const [file, listener] of [[saslSslFile, port + 1], [mtlsFile, port + 2]] as const) {
      const connection = new BrokerConnection(loadKafkaSettings({ KAFKA_CONFIG_FILE: file }), '127.0.0.1', listener, 10_000);
      try {
        const body = await connection.request((id) => encodeFetchRequest(id, 'gamepipe-test', { maxWaitMs: 0, minBytes: 0, maxBytes: 1024, readCommitted: true, topic: 'no-such-topic', partitions: [{ partition: 0, offset: 0, maxBytes: 1024 }] }), 10_000);
        // An authenticated request, answered: the topic does not exist.
        expect(decodeFetchResponse(body, 'no-such-topic').partitions[0]!.errorCode).toBe(KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      } finally {
        connection.close();
      }
    }
  });

  it('refuses --security on other actions and unknown modes as usage errors', async () => {
    expect(await gamepipeKafka(home, port, 'status', '--security', 'sasl_ssl')).toMatchObject({ code: 2, stderr: expect.stringContaining("--security applies to 'gamepipe kafka up' only") });
    expect(await gamepipeKafka(home, port, 'up', '--security', 'kerberos')).toMatchObject({ code: 2, stderr: "gamepipe kafka: --security 'kerberos' is not one of sasl_ssl\n" });
  });

  it('a runner given a wrong password ends with one line naming the user and broker, never the password', async () => {
    const good = await readFile(join(home, 'kafka', 'client-sasl_ssl.properties'), 'utf8');
    const wrong = 'not-the-password-3141';
    const file = join(home, 'wrong-password.properties');
    await writeFile(file, good.replace(/^sasl\.password=.*$/m, `sasl.password=${wrong}`));
    const jobs = join(home, 'jobs');
    await mkdir(jobs, { recursive: true });
    await writeFile(join(jobs, 'a.job.yaml'), 'job: refused\nsource: { topic: refused-topic }\nschema:\n  id: string\nsink: { path: out/refused }\ntrigger: 1 second\n');
    const env: NodeJS.ProcessEnv = { ...process.env, GAMEPIPE_HOME: home };
    delete env.KAFKA_BROKERS;
    // Streaming and --once alike end by themselves (the exec's timeout only bounds a hang).
    for (const once of [[], ['--once']]) {
      const run = await exec('node', [RUN_BIN, '--kafka-config', file, '--metrics-port', '0', ...once, jobs], { env, cwd: home, timeout: 60_000 }).then(
        () => ({ code: 0, stderr: '', stdout: '' }),
        (err: { code: number; stderr: string; stdout: string }) => err,
      );
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^gamepipe run: SASL SCRAM-SHA-512 authentication of user 'gamepipe' on broker 127\\.0\\.0\\.1:${port + 1} failed`));
      expect(run.stderr + run.stdout).not.toContain(wrong);
    }
    const status = await exec('node', [BIN, 'status', '--kafka-config', file, '--jobs', jobs], { env, cwd: home, timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(status.code).toBe(1);
    expect(status.stderr).toBe(`gamepipe status: SASL authentication on broker 127.0.0.1:${port + 1} failed: SASL authentication failed.\n`);
  });
});
