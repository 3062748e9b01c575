import { describe, expect, it } from 'vitest';
import { brokerPaths, serverProperties, type KafkaNode } from '../../src/broker/local-broker.js';
import { kafkaVersion } from '../../src/broker/provision.js';

const props = (text: string) => Object.fromEntries(text.trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));

describe("a local node's server.properties", () => {
  it('makes one node its own only voter, with one replica of everything', () => {
    const node: KafkaNode = { id: 1, port: 9500, controllerPort: 9600, voters: [{ id: 1, controllerPort: 9600 }], paths: brokerPaths(9500) };
    const p = props(serverProperties(node));
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:9600');
    expect(p['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:9500');
    expect([p['default.replication.factor'], p['min.insync.replicas'], p['offsets.topic.replication.factor'], p['transaction.state.log.min.isr']]).toEqual(['1', '1', '1', '1']);
  });

  it('gives a node of three replication factor 3 and min ISR 2, internal topics included', () => {
    const voters = [1, 2, 3].map((id) => ({ id, controllerPort: 9600 + id }));
    const p = props(serverProperties({ id: 2, port: 9502, controllerPort: 9602, voters, paths: brokerPaths(9502) }));
    expect(p['node.id']).toBe('2');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:9601,2@127.0.0.1:9602,3@127.0.0.1:9603');
    expect(p['listeners']).toBe('PLAINTEXT://127.0.0.1:9502,CONTROLLER://127.0.0.1:9602');
    expect([p['default.replication.factor'], p['min.insync.replicas']]).toEqual(['3', '2']);
    expect([p['offsets.topic.replication.factor'], p['transaction.state.log.replication.factor'], p['transaction.state.log.min.isr']]).toEqual(['3', '3', '2']);
  });
});

describe('the Kafka release', () => {
  it('defaults to 4.x, takes GAMEPIPE_KAFKA_VERSION, and names a bad one', () => {
    const saved = process.env.GAMEPIPE_KAFKA_VERSION;
    try {
      delete process.env.GAMEPIPE_KAFKA_VERSION;
      expect(kafkaVersion()).toMatch(/^4\./);
      process.env.GAMEPIPE_KAFKA_VERSION = '3.9.1';
      expect(kafkaVersion()).toBe('3.9.1');
      expect(() => kafkaVersion('latest')).toThrow(/^--kafka-version=latest is not a Kafka release number/);
      process.env.GAMEPIPE_KAFKA_VERSION = '2.8.2';
      expect(() => kafkaVersion()).toThrow(/^GAMEPIPE_KAFKA_VERSION=2.8.2: the local broker runs KRaft/);
    } finally {
      if (saved === undefined) delete process.env.GAMEPIPE_KAFKA_VERSION;
      else process.env.GAMEPIPE_KAFKA_VERSION = saved;
    }
  });
});
