import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gamepipeHome } from '../local-service/home.js';
import { requireTool, whyLine } from '../local-service/tools.js';
import { UserError } from '../user-error.js';

const run = promisify(execFile);

/**
 * The MinIO the local S3 runs. MinIO's Go module has no semver tags, so this is the pseudo-version
 * `go install github.com/minio/minio@latest` resolved when it was pinned.
 */
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';
const MINIO_MODULE = 'github.com/minio/minio';

/** Where the built MinIO binary of the pinned version lives. */
export function minioBinaryPath(): string {
  return join(gamepipeHome(), 'minio', MINIO_VERSION, 'minio');
}

/**
 * Returns the path of a MinIO binary: GAMEPIPE_MINIO_BIN when set (tests with a temp GAMEPIPE_HOME
 * reuse the built one that way), else the cached build, building it with `go install` on first use.
 * The build lands in a temporary folder renamed into place, so a half build is never trusted.
 */
export async function ensureMinio(): Promise<string> {
  const given = process.env.GAMEPIPE_MINIO_BIN?.trim();
  if (given) {
    try {
      accessSync(given, constants.X_OK);
    } catch {
      throw new UserError(`GAMEPIPE_MINIO_BIN=${given} is not an executable file`);
    }
    return given;
  }
  const binary = minioBinaryPath();
  if (existsSync(binary)) return binary;

  await requireTool('go', 'install Go 1.24 or newer (https://go.dev/dl/; Debian 12\'s golang-go is too old) so gamepipe can build MinIO');
  const cacheDir = join(gamepipeHome(), 'minio');
  const work = join(cacheDir, `.build-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  process.stderr.write(`building MinIO ${MINIO_VERSION} from source with 'go install' (first run only; it takes minutes)...\n`);
  try {
    // cwd is the empty build folder: `go install module@version` must not see some go.mod around it.
    await run('go', ['install', `${MINIO_MODULE}@${MINIO_VERSION}`], {
      cwd: work,
      env: { ...process.env, GOBIN: work },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    const why = whyLine((err as { stderr?: string }).stderr ?? '', /error|cannot|requires|invalid|denied/i) ?? String(err);
    throw new UserError(`building MinIO with 'go install' failed (${why}); check that proxy.golang.org is reachable`);
  }
  // Another gamepipe may have finished the same build meanwhile; its binary is as good as ours.
  if (existsSync(binary)) {
    await rm(work, { recursive: true, force: true });
    return binary;
  }
  const target = join(cacheDir, MINIO_VERSION);
  await rm(target, { recursive: true, force: true });
  await rename(work, target);
  return binary;
}
