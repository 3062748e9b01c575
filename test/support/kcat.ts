import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** One record as kcat (librdkafka) read it. */
export interface KcatRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

/**
 * Every committed record of `topic`, read by kcat: an independent reader (librdkafka) of what the
 * topic holds, to check gamepipe's tables against. Reads from the start to the end at the time of
 * the call (read_committed), then returns.
 */
export async function readTopicWithKcat(brokers: string[], topic: string): Promise<KcatRecord[]> {
  // Partition and offset, then the value to the end of the line (seed events are one-line JSON).
  const { stdout } = await exec('kcat', ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-X', 'isolation.level=read_committed', '-f', '%p %o %k %s\n'], {
    maxBuffer: 1024 * 1024 * 1024,
    timeout: 120_000,
  });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [partition, offset, key] = line.split(' ', 3);
      return { partition: Number(partition), offset: Number(offset), key: key!, value: line.slice(partition!.length + offset!.length + key!.length + 3) };
    });
}
