// The physical floor: kcat (librdkafka) reading the whole topic to /dev/null.
import { execFileSync, spawnSync } from 'node:child_process';

/** True when `kcat` is on PATH. */
function hasKcat(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure kcat is installed (the Debian package, through apt-get) and returns its version line,
 * or throws with what failed.
 */
export function ensureKcat(log: (line: string) => void): string {
  if (!hasKcat()) {
    log('kcat missing: apt-get update && apt-get install -y kcat');
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'kcat'], { stdio: 'ignore' });
  }
  const version = execFileSync('kcat', ['-V'], { encoding: 'utf8' });
  return /Version ([^\s]+)/.exec(version)?.[1] ?? version.split("\n")[0]!;
}

/** The kcat arguments that consume `topic` from the beginning and exit at its end (-e), quietly. */
export function kcatArgs(topic: string, brokers: string[]): string[] {
  return ['-C', '-b', brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q'];
}
