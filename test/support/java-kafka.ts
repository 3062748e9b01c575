import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gamepipeHome } from '../../src/broker/local-broker.js';
import { ensureKafkaJars } from '../../src/broker/provision.js';
import { bootstrapServers } from '../../src/kafka/connection-settings.js';

const exec = promisify(execFile);
const SOURCE = join(import.meta.dirname, 'java', 'KafkaZstd.java');

/** Runs KafkaZstd.java (Kafka's Java client, from the local broker's jars) with `args`; resolves with its stdout. */
async function kafkaZstd(args: string[]): Promise<string> {
  const libs = await ensureKafkaJars(join(gamepipeHome(), 'kafka'));
  const { stdout } = await exec('java', ['-cp', `${libs}/*`, SOURCE, ...args], { maxBuffer: 512 * 1024 * 1024, timeout: 30 * 60_000 });
  return stdout;
}

/**
 * Produces `records` JSON records to partition 0 of `topic` with the Java producer at zstd `level`:
 * batched as the producer does by default (linger `lingerMs`), or one record per batch (lingerMs 0).
 */
export async function produceWithJava(topic: string, level: number, records: number, lingerMs = 5): Promise<void> {
  await kafkaZstd(['produce', bootstrapServers().join(','), topic, String(level), String(records), String(lingerMs)]);
}

/** Every record of partition 0 of `topic` as the Java consumer reads it: [offset, value]. */
export async function consumeWithJava(topic: string): Promise<Array<[number, string]>> {
  const out = await kafkaZstd(['consume', bootstrapServers().join(','), topic]);
  return out.split('\n').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    return [Number(line.slice(0, tab)), line.slice(tab + 1)];
  });
}
