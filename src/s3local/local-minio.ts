import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gamepipeHome } from '../local-service/home.js';
import { freePort, portIsFree } from '../local-service/ports.js';
import { pidIsOurs, readServiceState, stopPid, type ServiceState } from '../local-service/processes.js';
import { UserError } from '../user-error.js';
import { whyLine } from '../local-service/tools.js';
import { ensureMinio } from './provision-minio.js';
import { ensureBucket } from './s3-client.js';
import { LOCAL_S3_BUCKET, localS3Env } from './s3-env.js';

/** Files of the local MinIO on one port; each port gets its own data, log and pid record. */
export function minioPaths(port: number) {
  const root = join(gamepipeHome(), 'minio');
  return {
    root,
    data: join(root, `data-${port}`),
    log: join(root, `minio-${port}.log`),
    state: join(root, `minio-${port}.json`),
  };
}

// `address` is the endpoint URL, the form S3 clients take.
export type MinioStatus = { running: false } | { running: true; pid: number; address: string };

/** Whether the MinIO this project started on `port` is alive; its command line names its data folder. */
export async function minioStatus(port: number): Promise<MinioStatus> {
  const paths = minioPaths(port);
  const state = await readServiceState(paths.state);
  if (state && pidIsOurs(state.pid, paths.data)) {
    return { running: true, pid: state.pid, address: localS3Env(port).AWS_ENDPOINT_URL };
  }
  return { running: false };
}

/** Polls MinIO's readiness probe until it answers 200, `timeoutMs` pass, or `exited()` says it died. */
async function waitReady(endpoint: string, timeoutMs: number, exited: () => boolean): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) return 'exited';
    try {
      const res = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return 'ready';
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return 'timeout';
}

/** The last line of MinIO's log that says why it failed, if there is one. */
async function lastErrorLine(log: string): Promise<string | undefined> {
  return whyLine(await readFile(log, 'utf8').catch(() => ''), /error|fatal|unable/i);
}

/**
 * Starts the local MinIO on `port` unless it already runs, waits until it is ready and makes sure
 * the `gamepipe` bucket exists. Returns whether this call started it.
 */
export async function minioUp(port: number, timeoutMs = 60_000): Promise<{ address: string; started: boolean }> {
  const env = localS3Env(port);
  const endpoint = env.AWS_ENDPOINT_URL;
  const paths = minioPaths(port);
  const status = await minioStatus(port);
  if (status.running) {
    if ((await waitReady(endpoint, timeoutMs, () => !pidIsOurs(status.pid, paths.data))) !== 'ready') {
      throw new UserError(`the local S3 (pid ${status.pid}) runs but is not ready on ${endpoint}; see 'gamepipe s3 logs'`);
    }
    await ensureBucket(env, LOCAL_S3_BUCKET);
    return { address: endpoint, started: false };
  }
  if (!(await portIsFree(port))) {
    throw new UserError(`port ${port} on 127.0.0.1 is taken by another process; stop it, or set GAMEPIPE_S3_PORT to another port`);
  }
  const binary = await ensureMinio();
  await mkdir(paths.data, { recursive: true });

  const logFd = openSync(paths.log, 'a');
  const child = spawn(
    binary,
    ['server', paths.data, '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${await freePort()}`],
    {
      stdio: ['ignore', logFd, logFd],
      detached: true,
      // The update check would reach out to the internet on every start.
      env: { ...process.env, MINIO_ROOT_USER: env.AWS_ACCESS_KEY_ID, MINIO_ROOT_PASSWORD: env.AWS_SECRET_ACCESS_KEY, MINIO_UPDATE: 'off' },
    },
  );
  closeSync(logFd);
  child.unref();
  if (!child.pid) throw new UserError(`could not start MinIO (${binary})`);
  await writeFile(paths.state, JSON.stringify({ pid: child.pid, port, startedAt: new Date().toISOString() } satisfies ServiceState));

  let exitCode: number | string | null | undefined;
  child.once('exit', (code, signal) => (exitCode = code ?? signal));
  const giveUp = async () => {
    if (exitCode === undefined) await stopPid(child.pid!, 5000);
    await rm(paths.state, { force: true });
  };
  const outcome = await waitReady(endpoint, timeoutMs, () => exitCode !== undefined);
  if (outcome === 'timeout') {
    await giveUp();
    throw new UserError(`the local S3 was not ready within ${Math.round(timeoutMs / 1000)}s; its log is ${paths.log}`);
  }
  if (outcome === 'exited') {
    await giveUp();
    const why = (await lastErrorLine(paths.log)) ?? 'no output';
    throw new UserError(`MinIO exited with ${exitCode}: ${why} (log: ${paths.log})`);
  }
  try {
    await ensureBucket(env, LOCAL_S3_BUCKET);
  } catch (err) {
    await giveUp();
    throw new UserError(`creating bucket '${LOCAL_S3_BUCKET}' on ${endpoint} failed: ${String((err as Error).message).split('\n')[0]}`);
  }
  return { address: endpoint, started: true };
}

/** Stops the MinIO this project started on `port` (by its recorded pid); returns whether one ran. */
export async function minioDown(port: number): Promise<boolean> {
  const paths = minioPaths(port);
  const state = await readServiceState(paths.state);
  const running = state !== undefined && pidIsOurs(state.pid, paths.data);
  if (running) await stopPid(state.pid, 5000);
  await rm(paths.state, { force: true });
  return running;
}
