import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gamepipeHome } from '../../src/broker/local-broker.js';
import { clusterDown, clusterNodePaths, clusterNodeUp, clusterUp } from '../../src/broker/local-cluster.js';
import { ensureKafkaJars, kafkaVersion } from '../../src/broker/provision.js';
import { referenceKafka } from './kafka.js';
import { electPreferredLeaders } from './elect-leaders.js';
import { alive, freePort } from './ports.js';
import { eventually } from './runner-process.js';

/** A 3-node local KRaft cluster of one test's own, whose nodes the test can kill, freeze and restart. */
export interface TestCluster {
  dir: string;
  /** Node id -> its client port. */
  ports: Map<number, number>;
  /** Every node's address, comma-separated, as KAFKA_BROKERS takes them. */
  brokers: string;
  address(id: number): string;
  pid(id: number): Promise<number>;
  /** SIGKILLs node `id` and waits until the process is gone. */
  kill(id: number): Promise<void>;
  /** SIGSTOPs node `id`: it keeps its sockets but answers nothing. */
  freeze(id: number): Promise<void>;
  thaw(id: number): Promise<void>;
  /** Starts node `id` again (after a kill) with its own data; resolves once it answers. */
  restart(id: number): Promise<void>;
  /**
   * Creates `topic` with 3 replicas per partition, or with its replicas on `onNodes` only (the first
   * leading); resolves once every live node knows a leader for each partition (nodes learn of a new
   * topic one after another).
   */
  createTopic(topic: string, partitions: number, onNodes?: number[]): Promise<void>;
  /** Partition -> the node id that leads it, as a live broker tells it. */
  leaders(topic: string): Promise<Map<number, number>>;
  /** Partition -> its in-sync replicas. */
  isr(topic: string): Promise<Map<number, number[]>>;
  /**
   * Makes each partition's second replica its preferred one (the same replicas in another order,
   * so no data moves); resolves once every live node's metadata shows the new order.
   */
  rotatePreferredReplicas(topic: string): Promise<void>;
  /** A preferred-leader election of `topic`'s partitions; partition -> error code (0 or 84). */
  electPreferred(topic: string, partitions: number[]): Promise<Map<number, number>>;
  /** Stops every node, restores the environment and removes the folder. */
  dispose(): Promise<void>;
}

/**
 * Starts 3 combined broker+controller nodes on 127.0.0.1 with GAMEPIPE_HOME in a new temp folder
 * (replication factor 3, min ISR 2), and points KAFKA_BROKERS of this test process at all three
 * (restored by `dispose`). Their client ports are GAMEPIPE_TEST_CLUSTER_PORT and the two above it
 * when that is set (a run sharing the machine keeps to its own), else free ones.
 */
export async function startTestCluster(prefix: string): Promise<TestCluster> {
  const savedEnv = { ...process.env };
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const jars = dirname(await ensureKafkaJars(join(gamepipeHome(), 'kafka'), kafkaVersion()));
  process.env.GAMEPIPE_HOME = join(dir, '.gamepipe');
  await mkdir(join(gamepipeHome(), 'kafka'), { recursive: true });
  await symlink(jars, join(gamepipeHome(), 'kafka', basename(jars)));
  const fixed = Number(process.env.GAMEPIPE_TEST_CLUSTER_PORT);
  const clientPorts = fixed ? [fixed, fixed + 1, fixed + 2] : [await freePort(), await freePort(), await freePort()];
  const base = clientPorts[0]!;
  const { address } = await clusterUp(base, 3, 180_000, {}, clientPorts);
  process.env.KAFKA_BROKERS = address;
  const ports = new Map(clientPorts.map((p, i) => [i + 1, p]));
  const addressOf = (id: number) => `127.0.0.1:${ports.get(id)}`;
  const pid = async (id: number) => (JSON.parse(await readFile(clusterNodePaths(base, id).state, 'utf8')) as { pid: number }).pid;
  const signal = async (id: number, sig: NodeJS.Signals) => process.kill(await pid(id), sig);
  const stopped = new Set<number>();
  const frozen = new Set<number>();

  async function metadata(topic: string) {
    // Any node that is neither killed nor frozen answers.
    const live = [...ports.keys()].filter((id) => !stopped.has(id) && !frozen.has(id)).map(addressOf);
    const admin = referenceKafka('gamepipe-test-cluster-admin', live).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
    } finally {
      await admin.disconnect();
    }
  }

  async function liveMetadata(topic: string, address: string) {
    const admin = referenceKafka('gamepipe-test-cluster-admin', [address]).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
    } finally {
      await admin.disconnect();
    }
  }

  return {
    dir,
    ports,
    brokers: address,
    address: addressOf,
    pid,
    async kill(id) {
      const p = await pid(id);
      process.kill(p, 'SIGKILL');
      stopped.add(id);
      while (alive(p)) await new Promise((r) => setTimeout(r, 50));
    },
    async freeze(id) {
      await signal(id, 'SIGSTOP');
      frozen.add(id);
    },
    async thaw(id) {
      await signal(id, 'SIGCONT');
      frozen.delete(id);
    },
    async restart(id) {
      await clusterNodeUp(base, id, 180_000);
      stopped.delete(id);
    },
    async createTopic(topic, partitions, onNodes) {
      const admin = referenceKafka('gamepipe-test-cluster-admin', [...ports.keys()].filter((id) => !stopped.has(id)).map(addressOf)).admin();
      await admin.connect();
      try {
        const replicaAssignment = onNodes && [...Array(partitions).keys()].map((partition) => ({ partition, replicas: onNodes }));
        // The wait below, not kafkajs' own, which gives up on a node that does not know the topic yet.
        await admin.createTopics({ waitForLeaders: false, topics: [replicaAssignment ? { topic, replicaAssignment } : { topic, numPartitions: partitions, replicationFactor: 3 }] });
      } finally {
        await admin.disconnect();
      }
      for (const id of ports.keys()) {
        if (stopped.has(id) || frozen.has(id)) continue;
        await eventually(
          () => liveMetadata(topic, addressOf(id)).then((parts) => parts.length === partitions && parts.every((p) => p.leader >= 0), () => false),
          60_000,
          `node ${id} to know ${topic}'s leaders`,
        );
      }
    },
    async leaders(topic) {
      return new Map((await metadata(topic)).map((p) => [p.partitionId, p.leader]));
    },
    async isr(topic) {
      return new Map((await metadata(topic)).map((p) => [p.partitionId, p.isr]));
    },
    async rotatePreferredReplicas(topic) {
      const partitions = await metadata(topic);
      const rotated = new Map(partitions.map((p) => [p.partitionId, [...p.replicas.slice(1), p.replicas[0]!]]));
      const live = [...ports.keys()].filter((id) => !stopped.has(id) && !frozen.has(id));
      const admin = referenceKafka('gamepipe-test-cluster-admin', live.map(addressOf)).admin();
      await admin.connect();
      try {
        await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [...rotated].map(([partition, replicas]) => ({ partition, replicas })) }] });
      } finally {
        await admin.disconnect();
      }
      for (const id of live) {
        await eventually(
          () => liveMetadata(topic, addressOf(id)).then((parts) => parts.every((p) => p.replicas.join() === rotated.get(p.partitionId)!.join()), () => false),
          60_000,
          `node ${id} to know ${topic}'s new replica order`,
        );
      }
    },
    electPreferred(topic, partitions) {
      const id = [...ports.keys()].find((n) => !stopped.has(n) && !frozen.has(n))!;
      return electPreferredLeaders(addressOf(id), topic, partitions);
    },
    async dispose() {
      for (const id of frozen) await signal(id, 'SIGCONT').catch(() => {});
      await clusterDown(base);
      process.env = savedEnv;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
