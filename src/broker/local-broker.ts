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
import { ensureKafkaJars, kafkaVersion } from './provision.js';
import { addSecureListeners, markScramUsers, requireScramUsers, scramFormatArgs, securityJvmArgs, type BrokerSecurity } from './broker-security.js';

export { gamepipeHome };

/**
 * How a local broker is started. Every entry point (brokerUp, writeBrokerConfig, serverProperties,
 * formatStorage, and the cluster's) takes one of these and hands it down unchanged, so a new
 * option is one field here plus the line that reads it.
 */
export type BrokerOptions = {
  /** The Kafka release (see provision.ts's kafkaVersion); GAMEPIPE_KAFKA_VERSION or the default when absent. */
  kafkaVersion?: string;
  /** The secure listeners of `kafka up --security` (broker-security.ts), on a single broker. */
  security?: BrokerSecurity;
};

/** The files of one broker node: its data, config, log settings, log, pid record. */
export type NodePaths = {
  root: string;
  data: string;
  config: string;
  log4j: string;
  log4j2: string;
  log: string;
  state: string;
  /** Which Kafka release formatted `data`: a newer one's metadata cannot be read by an older one. */
  formattedBy: string;
};

/** Files of the local broker on one port; each port gets its own data, log and pid record. */
export function brokerPaths(port: number): NodePaths {
  const root = join(gamepipeHome(), 'kafka');
  return {
    root,
    data: join(root, `data-${port}`),
    config: join(root, `server-${port}.properties`),
    log4j: join(root, 'log4j.properties'),
    log4j2: join(root, 'log4j2.properties'),
    log: join(root, `broker-${port}.log`),
    state: join(root, `broker-${port}.json`),
    formattedBy: join(root, `data-${port}.version`),
  };
}

/** A controller of the KRaft quorum, as every node's config lists it. */
export type Voter = { id: number; controllerPort: number };

/**
 * One combined broker+controller node: everything its server.properties depends on. A single
 * broker is the node of id 1 that is its own only voter.
 */
export type KafkaNode = { id: number; port: number; controllerPort: number; voters: Voter[]; paths: NodePaths };

export type BrokerStatus = { running: false } | { running: true; pid: number; address: string };

/** Whether the node whose files are `paths` runs: its pid record names a live process of ours. */
export async function nodePid(paths: NodePaths): Promise<number | undefined> {
  const state = await readServiceState(paths.state);
  return state && pidIsOurs(state.pid, paths.config) ? state.pid : undefined;
}

/** Whether the broker this project started on `port` is alive. */
export async function brokerStatus(port: number): Promise<BrokerStatus> {
  const pid = await nodePid(brokerPaths(port));
  return pid !== undefined ? { running: true, pid, address: `127.0.0.1:${port}` } : { running: false };
}

/** The server.properties of `node`. */
export function serverProperties(node: KafkaNode, options: BrokerOptions = {}): string {
  const replicas = Math.min(3, node.voters.length);
  // With several nodes a write needs two replicas, so one node may fail without losing an acked record.
  const minIsr = replicas > 1 ? 2 : 1;
  const properties = [
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${node.voters.map((v) => `${v.id}@127.0.0.1:${v.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${node.paths.data}`,
    'num.partitions=1',
    'auto.create.topics.enable=true',
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minIsr}`,
    // Internal topics get as many replicas as the cluster has (up to 3); rebalances need not wait for more members.
    `offsets.topic.replication.factor=${replicas}`,
    'offsets.topic.num.partitions=8',
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${replicas}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
  return options.security ? addSecureListeners(properties, options.security) : properties;
}

// Kafka 3 logs through log4j 1.x (reload4j) and reads -Dlog4j.configuration; Kafka 4 through
// log4j2, which reads -Dlog4j2.configurationFile. Both files are written and both flags passed,
// so one command line serves either release (each library ignores the other's flag).
const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

const LOG4J2 = [
  'status = warn',
  'appender.stdout.type = Console',
  'appender.stdout.name = STDOUT',
  'appender.stdout.layout.type = PatternLayout',
  'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.brokerServer.name = kafka.server.BrokerServer',
  'logger.brokerServer.level = INFO',
  'logger.kafkaRaftServer.name = kafka.server.KafkaRaftServer',
  'logger.kafkaRaftServer.level = INFO',
  '',
].join('\n');

function runJava(classpath: string, args: string[], paths: NodePaths, logFd: number) {
  return spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx1g',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${paths.log4j}`,
      `-Dlog4j2.configurationFile=${paths.log4j2}`,
      '-cp',
      `${classpath}/*`,
      ...args,
    ],
    { stdio: ['ignore', logFd, logFd], detached: true },
  );
}

function waitExit(child: ReturnType<typeof spawn>): Promise<number | string | null> {
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
}

/** Writes `node`'s server.properties and both log settings files. */
export async function writeNodeConfig(node: KafkaNode, options: BrokerOptions = {}): Promise<void> {
  await mkdir(node.paths.root, { recursive: true });
  await writeFile(node.paths.log4j, LOG4J);
  await writeFile(node.paths.log4j2, LOG4J2);
  await writeFile(node.paths.config, serverProperties(node, options));
}

/** The single broker on `port`: node 1, its own only voter, on a controller port free right now. */
async function singleNode(port: number): Promise<KafkaNode> {
  const controllerPort = await freePort();
  return { id: 1, port, controllerPort, voters: [{ id: 1, controllerPort }], paths: brokerPaths(port) };
}

/** Writes the single broker's server.properties (with a fresh controller port) and log settings for `port`. */
export async function writeBrokerConfig(port: number, options: BrokerOptions = {}): Promise<NodePaths> {
  const node = await singleNode(port);
  await writeNodeConfig(node, options);
  return node.paths;
}

/**
 * Formats the node's KRaft storage with `clusterId`. The id goes in as `--cluster-id=ID`:
 * a base64url id starts with '-' one time in 64, and as a separate argument it would be read as a flag.
 */
export async function formatStorage(libs: string, paths: NodePaths, clusterId: string, options: BrokerOptions = {}): Promise<void> {
  const formatLog = `${paths.log}.format`;
  const formatFd = openSync(formatLog, 'w');
  const scram = options.security ? scramFormatArgs(options.security) : [];
  const format = runJava(libs, ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', paths.config, ...scram], paths, formatFd);
  closeSync(formatFd);
  const code = await waitExit(format);
  if (code !== 0) {
    const why = whyLine(await readFile(formatLog, 'utf8').catch(() => ''), /error|exception/i) ?? `exit ${code}`;
    throw new UserError(`formatting the broker's storage in ${paths.data} failed: ${why} (output in ${formatLog})`);
  }
  await writeFile(paths.formattedBy, `${kafkaVersion(options.kafkaVersion)}\n`);
  if (options.security) await markScramUsers(paths.data);
}

/** A new 22-character base64 cluster id, as Kafka wants. */
export const newClusterId = (): string => randomBytes(16).toString('base64url').slice(0, 22);

/**
 * Refuses to start `version` on data a newer major release formatted (Kafka 3 cannot read Kafka 4's
 * metadata); data with no record was formatted before releases were recorded, by Kafka 3.
 */
export async function checkFormattedBy(paths: NodePaths, version: string): Promise<void> {
  const formatted = (await readFile(paths.formattedBy, 'utf8').catch(() => '3.0.0')).trim();
  if (Number(formatted.split('.')[0]) > Number(version.split('.')[0])) {
    throw new UserError(
      `the broker data in ${paths.data} was formatted by Kafka ${formatted}, which Kafka ${version} cannot read; ` +
        `use Kafka ${formatted}, another --port, or remove that folder`,
    );
  }
}

/**
 * Starts java for `node` (its config and storage must exist) and records its pid. Resolves once
 * the process is spawned; `exited` tells whether it has exited since.
 */
export async function startNode(libs: string, node: KafkaNode, options: BrokerOptions = {}): Promise<{ pid: number; exited(): number | null | undefined }> {
  const logFd = openSync(node.paths.log, 'a');
  const child = runJava(libs, [...(options.security ? securityJvmArgs(options.security) : []), 'kafka.Kafka', node.paths.config], node.paths, logFd);
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new UserError('could not start java for the Kafka broker');
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  await writeFile(node.paths.state, JSON.stringify({ pid: child.pid, port: node.port, startedAt: new Date().toISOString() } satisfies ServiceState));
  return { pid: child.pid, exited: () => exited };
}

/**
 * Waits until `node` answers metadata requests; on a timeout or an exit stops it, removes its
 * pid record and throws a UserError naming its log.
 */
export async function awaitNode(node: KafkaNode, started: { pid: number; exited(): number | null | undefined }, timeoutMs: number): Promise<void> {
  try {
    await waitForMetadata([`127.0.0.1:${node.port}`], timeoutMs);
  } catch {
    const exited = started.exited();
    if (exited === undefined) await stopPid(started.pid);
    await rm(node.paths.state, { force: true });
    const why = exited === undefined ? `did not answer within ${Math.round(timeoutMs / 1000)}s` : `exited with code ${exited}`;
    throw new UserError(`the Kafka broker on port ${node.port} ${why}; its log is ${node.paths.log}`);
  }
}

/** Checks that java runs and returns the folder of `version`'s jars. */
export async function kafkaJars(root: string, version: string): Promise<string> {
  await requireTool('java', 'install a JDK 17 or newer (apt-get install openjdk-17-jre-headless)');
  return ensureKafkaJars(root, version);
}

/**
 * Starts the local broker on `port` unless it already runs; resolves once kafkajs can read
 * cluster metadata from it. Returns whether this call started it.
 */
export async function brokerUp(port: number, timeoutMs = 90_000, options: BrokerOptions = {}): Promise<{ address: string; started: boolean }> {
  const address = `127.0.0.1:${port}`;
  const paths = brokerPaths(port);
  const pid = await nodePid(paths);
  const security = options.security;
  if (pid !== undefined && security && !(await readFile(paths.config, 'utf8')).includes(`SASL_SSL://127.0.0.1:${security.saslSslPort}`)) {
    throw new UserError(`the broker on port ${port} (pid ${pid}) runs without --security ${security.mode}; stop it with 'gamepipe kafka down' first`);
  }
  if (pid !== undefined) {
    await waitForMetadata([address], timeoutMs).catch(() => {
      throw new UserError(`the broker (pid ${pid}) runs but does not answer on ${address}; see 'gamepipe kafka logs'`);
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
  const version = kafkaVersion(options.kafkaVersion);
  const libs = await kafkaJars(paths.root, version);
  const node = await singleNode(port);
  await writeNodeConfig(node, options);
  if (security) requireScramUsers(paths.data);

  if (!existsSync(join(paths.data, 'meta.properties'))) {
    await rm(paths.data, { recursive: true, force: true });
    await formatStorage(libs, paths, newClusterId(), { ...options, kafkaVersion: version });
  } else {
    await checkFormattedBy(paths, version);
  }
  await awaitNode(node, await startNode(libs, node, options), timeoutMs);
  return { address, started: true };
}

/** Stops the broker this project started on `port` (by its recorded pid); returns whether one ran. */
export async function brokerDown(port: number): Promise<boolean> {
  const paths = brokerPaths(port);
  const pid = await nodePid(paths);
  if (pid !== undefined) await stopPid(pid);
  await rm(paths.state, { force: true });
  return pid !== undefined;
}
