import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, portIsFree } from '../local-service/ports.js';
import { stopPid } from '../local-service/processes.js';
import { UserError } from '../user-error.js';
import { waitForMetadata } from '../kafka/broker-probe.js';
import { kafkaVersion } from './provision.js';
import {
  awaitNode,
  brokerDown,
  brokerPaths,
  brokerStatus,
  brokerUp,
  checkFormattedBy,
  formatStorage,
  gamepipeHome,
  kafkaJars,
  newClusterId,
  nodePid,
  startNode,
  writeNodeConfig,
  type BrokerOptions,
  type BrokerStatus,
  type KafkaNode,
  type NodePaths,
} from './local-broker.js';

/**
 * A local KRaft cluster of combined broker+controller nodes, recorded on its first port: which
 * nodes it has on which ports and which release formatted it. The controller ports are chosen
 * once, when the cluster is created, because every node's config lists them all.
 */
export type ClusterRecord = {
  kafkaVersion: string;
  clusterId: string;
  nodes: { id: number; port: number; controllerPort: number }[];
};

const clusterRoot = (port: number): string => join(gamepipeHome(), 'kafka', `cluster-${port}`);

/** Where the cluster on `port` keeps its record. */
export const clusterRecordPath = (port: number): string => join(clusterRoot(port), 'cluster.json');

/** The files of node `id` of the cluster on `port`: each node has its own data, log and pid record. */
export function clusterNodePaths(port: number, id: number): NodePaths {
  const root = clusterRoot(port);
  const node = join(root, `node-${id}`);
  return {
    root,
    data: join(node, 'data'),
    config: join(node, 'server.properties'),
    log4j: join(root, 'log4j.properties'),
    log4j2: join(root, 'log4j2.properties'),
    log: join(node, 'broker.log'),
    state: join(node, 'broker.json'),
    formattedBy: join(node, 'data.version'),
  };
}

/** The cluster recorded on `port`, if any. */
export async function readClusterRecord(port: number): Promise<ClusterRecord | undefined> {
  try {
    return JSON.parse(await readFile(clusterRecordPath(port), 'utf8')) as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** Node `id` of the cluster recorded on `port`. */
export function clusterNode(port: number, record: ClusterRecord, id: number): KafkaNode {
  const node = record.nodes.find((n) => n.id === id);
  if (!node) throw new UserError(`the cluster on port ${port} has no node ${id} (it has ${record.nodes.map((n) => n.id).join(', ')})`);
  const voters = record.nodes.map((n) => ({ id: n.id, controllerPort: n.controllerPort }));
  return { id, port: node.port, controllerPort: node.controllerPort, voters, paths: clusterNodePaths(port, id) };
}

const addressList = (record: ClusterRecord): string => record.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');

/**
 * Records a new cluster of `brokers` nodes on `port` (node i listens on `ports[i]`, by default
 * `port + i`), writes each node's config and formats its storage with one cluster id.
 */
async function createCluster(port: number, brokers: number, options: BrokerOptions, ports?: number[]): Promise<ClusterRecord> {
  const clientPorts = ports ?? Array.from({ length: brokers }, (_, i) => port + i);
  for (const p of clientPorts) {
    if (!(await portIsFree(p))) throw new UserError(`port ${p} on 127.0.0.1 is taken by another process; a ${brokers}-node cluster on port ${port} needs ports ${clientPorts.join(', ')}`);
  }
  const version = kafkaVersion(options.kafkaVersion);
  const libs = await kafkaJars(join(gamepipeHome(), 'kafka'), version);
  const nodes = [];
  for (const [i, p] of clientPorts.entries()) nodes.push({ id: i + 1, port: p, controllerPort: await freePort() });
  const record: ClusterRecord = { kafkaVersion: version, clusterId: newClusterId(), nodes };
  await rm(clusterRoot(port), { recursive: true, force: true });
  await mkdir(clusterRoot(port), { recursive: true });
  for (const { id } of nodes) {
    const node = clusterNode(port, record, id);
    await mkdir(join(node.paths.data, '..'), { recursive: true });
    await writeNodeConfig(node, { ...options, kafkaVersion: version });
    await formatStorage(libs, node.paths, record.clusterId, { ...options, kafkaVersion: version });
  }
  await writeFile(clusterRecordPath(port), JSON.stringify(record, null, 2));
  return record;
}

/**
 * Starts node `id` of the cluster recorded on `port` unless it runs; resolves once it answers
 * metadata requests. Returns whether this call started it. Its config is written again (the
 * same for the same record and options), so a node restarts exactly as it was.
 */
export async function clusterNodeUp(port: number, id: number, timeoutMs = 90_000, options: BrokerOptions = {}): Promise<boolean> {
  const record = await readClusterRecord(port);
  if (!record) throw new UserError(`no local cluster is recorded on port ${port}; start one with 'gamepipe kafka up --brokers 3'`);
  const node = clusterNode(port, record, id);
  if ((await nodePid(node.paths)) !== undefined) {
    await waitForMetadata([`127.0.0.1:${node.port}`], timeoutMs);
    return false;
  }
  const started = await launchNode(port, record, node, options);
  await awaitNode(node, started, timeoutMs);
  return true;
}

async function launchNode(port: number, record: ClusterRecord, node: KafkaNode, options: BrokerOptions) {
  if (!(await portIsFree(node.port))) throw new UserError(`port ${node.port} on 127.0.0.1 (node ${node.id} of the cluster on port ${port}) is taken by another process`);
  const libs = await kafkaJars(join(gamepipeHome(), 'kafka'), record.kafkaVersion);
  await checkFormattedBy(node.paths, record.kafkaVersion);
  await writeNodeConfig(node, { ...options, kafkaVersion: record.kafkaVersion });
  return startNode(libs, node);
}

/**
 * Starts the local cluster of `brokers` nodes on `port` (creating it on first use) unless it runs;
 * resolves once every node answers. A node answers only once the controller quorum has a leader,
 * so all nodes are launched before any is waited for.
 */
export async function clusterUp(
  port: number,
  brokers: number | undefined,
  timeoutMs = 90_000,
  options: BrokerOptions = {},
  ports?: number[],
): Promise<{ address: string; started: boolean }> {
  let record = await readClusterRecord(port);
  if (record && brokers !== undefined && brokers !== record.nodes.length) {
    throw new UserError(
      `a ${record.nodes.length}-node cluster is recorded on port ${port}; run 'gamepipe kafka down' and remove ${clusterRoot(port)} to make one of ${brokers}`,
    );
  }
  if (record && options.kafkaVersion !== undefined && options.kafkaVersion !== record.kafkaVersion) {
    throw new UserError(`the cluster on port ${port} runs Kafka ${record.kafkaVersion}; remove ${clusterRoot(port)} to make one of ${options.kafkaVersion}`);
  }
  record ??= await createCluster(port, brokers ?? 3, options, ports);
  const launched: [KafkaNode, Awaited<ReturnType<typeof launchNode>>][] = [];
  for (const { id } of record.nodes) {
    const node = clusterNode(port, record, id);
    if ((await nodePid(node.paths)) === undefined) launched.push([node, await launchNode(port, record, node, options)]);
  }
  try {
    await Promise.all(launched.map(([node, started]) => awaitNode(node, started, timeoutMs)));
  } catch (err) {
    await clusterDown(port);
    throw err;
  }
  return { address: addressList(record), started: launched.length > 0 };
}

/** Stops every node of the cluster on `port` at once (one by one, the last would wait for a quorum that is gone). */
export async function clusterDown(port: number): Promise<boolean> {
  const record = await readClusterRecord(port);
  if (!record) return false;
  const stopped = await Promise.all(
    record.nodes.map(async ({ id }) => {
      const paths = clusterNodePaths(port, id);
      const pid = await nodePid(paths);
      if (pid !== undefined) await stopPid(pid);
      await rm(paths.state, { force: true });
      return pid !== undefined;
    }),
  );
  return stopped.some(Boolean);
}

/** The cluster's live nodes: the first one's pid and every live node's address. */
export async function clusterStatus(port: number): Promise<BrokerStatus> {
  const record = await readClusterRecord(port);
  if (!record) return { running: false };
  const live: { pid: number; port: number }[] = [];
  for (const { id, port: nodePort } of record.nodes) {
    const pid = await nodePid(clusterNodePaths(port, id));
    if (pid !== undefined) live.push({ pid, port: nodePort });
  }
  if (!live.length) return { running: false };
  return { running: true, pid: live[0]!.pid, address: live.map((n) => `127.0.0.1:${n.port}`).join(',') };
}

/**
 * What `gamepipe kafka` drives: the cluster recorded on `port` if there is one, a new cluster
 * when asked for more than one broker, else the single broker.
 */
export async function kafkaUp(port: number, timeoutMs: number, options: BrokerOptions & { brokers?: number } = {}): Promise<{ address: string; started: boolean }> {
  const { brokers, ...brokerOptions } = options;
  if (existsSync(clusterRecordPath(port)) || (brokers ?? 1) > 1) return clusterUp(port, brokers, timeoutMs, brokerOptions);
  return brokerUp(port, timeoutMs, brokerOptions);
}

export async function kafkaDown(port: number): Promise<boolean> {
  const cluster = await clusterDown(port);
  return (await brokerDown(port)) || cluster;
}

export async function kafkaStatus(port: number): Promise<BrokerStatus> {
  return existsSync(clusterRecordPath(port)) ? clusterStatus(port) : brokerStatus(port);
}

/** The log of the cluster's first node, or the single broker's. */
export function kafkaLogPath(port: number): string {
  return existsSync(clusterRecordPath(port)) ? clusterNodePaths(port, 1).log : brokerPaths(port).log;
}
