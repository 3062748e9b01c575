import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerPaths } from '../../src/broker/local-broker.js';
import { KAFKA_3_VERSION } from '../../src/broker/provision.js';
import { startOwnBroker, type OwnBroker } from '../support/own-broker.js';

// Users who have not moved to Kafka 4 run 3.9.x. This file runs the core of the suite again, the
// very same test files, against a 3.9.1 broker of its own: a round trip through gamepipe-run,
// exactly once under kill -9, two members rebalancing, and the game API. Each imported file's
// suites register inside this one, so they run after its broker is up and KAFKA_BROKERS names it.
describe(`on Kafka ${KAFKA_3_VERSION}`, async () => {
  let broker: OwnBroker | undefined;
  beforeAll(async () => {
    broker = await startOwnBroker('gamepipe-kafka3', { kafkaVersion: KAFKA_3_VERSION });
  }, 300_000);
  afterAll(() => broker?.dispose());

  it(`runs a broker whose storage Kafka ${KAFKA_3_VERSION} formatted`, async () => {
    expect((await readFile(brokerPaths(broker!.port).formattedBy, 'utf8')).trim()).toBe(KAFKA_3_VERSION);
  });

  await import('../runtime/round-trip.int.test.js');
  await import('../runtime/crash-recovery.int.test.js');
  await import('../runtime/rebalance.int.test.js');
  await import('../api/server.int.test.js');
});
