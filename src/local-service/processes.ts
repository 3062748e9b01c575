import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';

/**
 * Whether `pid` is alive and is the process we started: its command line names `marker`
 * (a path only our process has), so a recycled pid is never mistaken for ours.
 */
export function pidIsOurs(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    // No /proc (not Linux): the signal check above is all there is.
    return true;
  }
}

/** SIGTERM, then SIGKILL if `pid` is still alive after `graceMs`; resolves once it is gone. */
export async function stopPid(pid: number, graceMs = 20_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // A clean shutdown lets the next start skip recovery; SIGKILL only if it hangs.
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** The record a local service keeps of the process it started. */
export type ServiceState = { pid: number; port: number; startedAt: string };

/** Reads a service's state file; undefined when there is none (or it is unreadable). */
export async function readServiceState(path: string): Promise<ServiceState | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as ServiceState;
  } catch {
    return undefined;
  }
}
