import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../local-service/tools.js';
import { UserError } from '../user-error.js';

const run = promisify(execFile);

/** The Kafka release the local broker runs unless told otherwise: the newest 4.x on Maven Central. */
export const KAFKA_VERSION = '4.4.0';
/** The 3.x release kept selectable for users whose clusters have not moved to Kafka 4. */
export const KAFKA_3_VERSION = '3.9.1';
const SCALA_VERSION = '2.13';

/**
 * The Kafka release to run: `requested`, else GAMEPIPE_KAFKA_VERSION, else KAFKA_VERSION.
 * Throws a UserError naming the source when it is not a release number.
 */
export function kafkaVersion(requested?: string): string {
  const [value, source] =
    requested !== undefined ? [requested, '--kafka-version'] : [process.env.GAMEPIPE_KAFKA_VERSION || KAFKA_VERSION, 'GAMEPIPE_KAFKA_VERSION'];
  if (!/^\d+\.\d+\.\d+$/.test(value)) {
    throw new UserError(`${source}=${value} is not a Kafka release number (say ${KAFKA_VERSION} or ${KAFKA_3_VERSION})`);
  }
  if (majorOf(value) < 3) throw new UserError(`${source}=${value}: the local broker runs KRaft, which needs Kafka 3.x or newer`);
  return value;
}

/** Kafka 4 logs through log4j2; Kafka 3 through log4j 1.x (reload4j). */
export const usesLog4j2 = (version: string): boolean => majorOf(version) >= 4;

const majorOf = (version: string): number => Number(version.split('.')[0]);

// Kafka's server jar plus a logging binding for its slf4j 1.7 API (Kafka 4 brings log4j-core
// itself but no binding); Maven resolves the rest of the broker's classpath.
function pom(version: string): string {
  const binding = usesLog4j2(version)
    ? '<groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.25.5</version>'
    : '<groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version>';
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>gamepipe.local</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${SCALA_VERSION}</artifactId><version>${version}</version></dependency>
    <dependency>${binding}</dependency>
  </dependencies>
</project>
`;
}

/**
 * Returns the folder of `version`'s broker jars under `cacheDir` (one folder per version), downloading
 * them from Maven Central on first use. The download lands in a temporary folder renamed into place,
 * so an interrupted run never leaves a half-filled cache that later runs would trust.
 */
export async function ensureKafkaJars(cacheDir: string, version = kafkaVersion()): Promise<string> {
  const libs = join(cacheDir, `kafka-${version}`, 'libs');
  if (existsSync(join(libs, `kafka_${SCALA_VERSION}-${version}.jar`))) return libs;
  await requireTool('mvn', 'install Maven (apt-get install maven) so gamepipe can fetch Kafka from Maven Central');
  const work = join(cacheDir, `.download-${process.pid}-${version}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await writeFile(join(work, 'pom.xml'), pom(version));
  process.stderr.write(`downloading Apache Kafka ${version} from Maven Central (first run only)...\n`);
  try {
    await run('mvn', ['-B', '-q', 'dependency:copy-dependencies', '-DoutputDirectory=libs', '-DincludeScope=runtime'], {
      cwd: work,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const out = (err as { stdout?: string; stderr?: string }).stdout ?? '';
    const lastLine = out.trim().split('\n').filter((l) => l.includes('ERROR')).at(0) ?? 'see mvn output';
    await rm(work, { recursive: true, force: true });
    throw new UserError(`downloading Kafka ${version} with Maven failed (${lastLine.trim()}); check the version and that Maven Central is reachable`);
  }
  await mkdir(join(cacheDir, `kafka-${version}`), { recursive: true });
  await rm(libs, { recursive: true, force: true });
  await rename(join(work, 'libs'), libs);
  await rm(work, { recursive: true, force: true });
  return libs;
}
