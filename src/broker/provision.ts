import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../local-service/tools.js';
import { UserError } from '../user-error.js';

const run = promisify(execFile);

/** The Kafka release the local broker runs; 3.9.x is the newest line kafkajs is known to work with. */
export const KAFKA_VERSION = '3.9.1';
const SCALA_VERSION = '2.13';

// Kafka's server jar plus a logging binding; Maven resolves the rest of the broker's classpath.
const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>gamepipe.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${SCALA_VERSION}</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;

/**
 * Returns the folder of broker jars under `cacheDir`, downloading them from Maven Central on first use.
 * The download lands in a temporary folder renamed into place, so an interrupted run never leaves
 * a half-filled cache that later runs would trust.
 */
export async function ensureKafkaJars(cacheDir: string): Promise<string> {
  const libs = join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  if (existsSync(join(libs, `kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`))) return libs;
  await requireTool('mvn', 'install Maven (apt-get install maven) so gamepipe can fetch Kafka from Maven Central');
  const work = join(cacheDir, `.download-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'pom.xml'), POM);
  process.stderr.write(`downloading Apache Kafka ${KAFKA_VERSION} from Maven Central (first run only)...\n`);
  try {
    await run('mvn', ['-B', '-q', 'dependency:copy-dependencies', '-DoutputDirectory=libs', '-DincludeScope=runtime'], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const out = (err as { stdout?: string; stderr?: string }).stdout ?? '';
    const lastLine = out.trim().split('\n').filter((l) => l.includes('ERROR')).at(0) ?? 'see mvn output';
    await rm(work, { recursive: true, force: true });
    throw new UserError(`downloading Kafka with Maven failed (${lastLine.trim()}); check that Maven Central is reachable`);
  }
  await mkdir(join(cacheDir, `kafka-${KAFKA_VERSION}`), { recursive: true });
  await rm(libs, { recursive: true, force: true });
  await rename(join(work, 'libs'), libs);
  await rm(work, { recursive: true, force: true });
  return libs;
}
