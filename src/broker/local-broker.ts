import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gamepipeHome } from '../local-service/home.js';
import { freePort, portIsFree } from '../local-service/ports.js';
import { pidIsOurs, readServiceState, stopPid, type ServiceState } from '../local-service/processes.js';
import { requireTool, whyLine } from '../local-service/tools.js';
import { UserError } from '../user-error.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { ensureKafkaJars } from './provision.js';
import { addSecureListeners, markScramUsers, requireScramUsers, scramFormatArgs, securityJvmArgs, type BrokerSecurity } from './broker-security.js';

export { gamepipeHome };

/** Files of the local broker on one port; each port gets its own data, log and pid record. */
export function brokerPaths(port: number) {
  const root = join(gamepipeHome(), 'kafka');
  return {
    root,
    data: join(root, `data-${port}`),
    config: join(root, `server-${port}.properties`),
    log4j: join(root, 'log4j.properties'),
    log: join(root, `broker-${port}.log`),
    state: join(root, `broker-${port}.json`),
  };
}

export type BrokerStatus = { running: false } | { running: true; pid: number; address: string };

const readState = (port: number) => readServiceState(brokerPaths(port).state);

/** Whether the broker this project started on `port` is alive. */
export async function brokerStatus(port: number): Promise<BrokerStatus> {
  const state = await readState(port);
  if (state && pidIsOurs(state.pid, brokerPaths(port).config)) {
    return { running: true, pid: state.pid, address: `127.0.0.1:${port}` };
  }
  return { running: false };
}

function serverProperties(port: number, controllerPort: number, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    // One node: every internal topic has one replica, and rebalances need not wait for more members.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=8',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

function runJava(classpath: string, args: string[], log4j: string, logFd: number) {
  return spawn(
    'java',
    ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${classpath}/*`, ...args],
    { stdio: ['ignore', logFd, logFd], detached: true },
  );
}

function waitExit(child: ReturnType<typeof spawn>): Promise<number | string | null> {
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
}

/** Writes the broker's server.properties (with a fresh controller port) and log4j settings for `port`. */
export async function writeBrokerConfig(port: number, security?: BrokerSecurity): Promise<ReturnType<typeof brokerPaths>> {
  const paths = brokerPaths(port);
  await mkdir(paths.root, { recursive: true });
  await writeFile(paths.log4j, LOG4J);
  const properties = serverProperties(port, await freePort(), paths.data);
  await writeFile(paths.config, security ? addSecureListeners(properties, security) : properties);
  return paths;
}

/**
 * Formats the broker's KRaft storage with `clusterId`. The id goes in as `--cluster-id=ID`:
 * a base64url id starts with '-' one time in 64, and as a separate argument it would be read as a flag.
 */
export async function formatStorage(libs: string, paths: ReturnType<typeof brokerPaths>, clusterId: string, security?: BrokerSecurity): Promise<void> {
  const formatLog = `${paths.log}.format`;
  const formatFd = openSync(formatLog, 'w');
  const scram = security ? scramFormatArgs(security) : [];
  const format = runJava(libs, ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', paths.config, ...scram], paths.log4j, formatFd);
  closeSync(formatFd);
  const code = await waitExit(format);
  if (code !== 0) {
    const why = whyLine(await readFile(formatLog, 'utf8').catch(() => ''), /error|exception/i) ?? `exit ${code}`;
    throw new UserError(`formatting the broker's storage in ${paths.data} failed: ${why} (output in ${formatLog})`);
  }
  if (security) await markScramUsers(paths.data);
}

/**
 * Starts the local broker on `port` unless it already runs; resolves once kafkajs can read
 * cluster metadata from it. Returns whether this call started it.
 */
export async function brokerUp(port: number, timeoutMs = 90_000, security?: BrokerSecurity): Promise<{ address: string; started: boolean }> {
  const address = `127.0.0.1:${port}`;
  const paths = brokerPaths(port);
  const status = await brokerStatus(port);
  if (status.running && security && !(await readFile(paths.config, 'utf8')).includes(`SASL_SSL://127.0.0.1:${security.saslSslPort}`)) {
    throw new UserError(`the broker on port ${port} (pid ${status.pid}) runs without --security ${security.mode}; stop it with 'gamepipe kafka down' first`);
  }
  if (status.running) {
    await waitForMetadata([address], timeoutMs).catch(() => {
      throw new UserError(`the broker (pid ${status.pid}) runs but does not answer on ${address}; see 'gamepipe kafka logs'`);
    });
    return { address, started: false };
  }
  if (!(await portIsFree(port))) {
    throw new UserError(
      `port ${port} on 127.0.0.1 is taken by another process; stop it, or set GAMEPIPE_KAFKA_PORT to another port`,
    );
  }
  for (const secure of security ? [security.saslSslPort, security.sslPort] : []) {
    if (!(await portIsFree(secure))) throw new UserError(`port ${secure} on 127.0.0.1, for the broker's secure listeners, is taken by another process; stop it, or use another --port`);
  }
  await requireTool('java', 'install a JDK 17 or newer (apt-get install openjdk-17-jre-headless)');
  const libs = await ensureKafkaJars(paths.root);
  await writeBrokerConfig(port, security);
  if (security) requireScramUsers(paths.data);

  if (!existsSync(join(paths.data, 'meta.properties'))) {
    await rm(paths.data, { recursive: true, force: true });
    // Kafka wants a 22-character base64 cluster id.
    await formatStorage(libs, paths, randomBytes(16).toString('base64url').slice(0, 22), security);
  }

  const logFd = openSync(paths.log, 'a');
  const child = runJava(libs, [...(security ? securityJvmArgs(security) : []), 'kafka.Kafka', paths.config], paths.log4j, logFd);
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new UserError('could not start java for the Kafka broker');
  await writeFile(paths.state, JSON.stringify({ pid: child.pid, port, startedAt: new Date().toISOString() } satisfies ServiceState));

  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  try {
    await waitForMetadata([address], timeoutMs);
  } catch {
    if (exited === undefined) await stopPid(child.pid);
    await rm(paths.state, { force: true });
    const why = exited === undefined ? `did not answer within ${Math.round(timeoutMs / 1000)}s` : `exited with code ${exited}`;
    throw new UserError(`the Kafka broker ${why}; its log is ${paths.log}`);
  }
  return { address, started: true };
}

/** Stops the broker this project started on `port` (by its recorded pid); returns whether one ran. */
export async function brokerDown(port: number): Promise<boolean> {
  const paths = brokerPaths(port);
  const state = await readState(port);
  const running = state !== undefined && pidIsOurs(state.pid, paths.config);
  if (running) await stopPid(state.pid);
  await rm(paths.state, { force: true });
  return running;
}
