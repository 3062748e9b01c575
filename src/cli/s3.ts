import { ensurePythonTools } from '../pytools/python-tools.js';
import { minioDown, minioPaths, minioStatus, minioUp } from '../s3local/local-minio.js';
import { ensureMinio } from '../s3local/provision-minio.js';
import { exportLines, externalS3Endpoint, localS3Env, localS3Port } from '../s3local/s3-env.js';
import { UserError } from '../user-error.js';
import { runServiceCommand, type LocalServiceCli } from './local-service-command.js';

const USAGE = 'usage: gamepipe s3 up|down|status|env|logs|install [--port N] [--timeout SECONDS] [--lines N]';

/** Resolves when `url` answers HTTP at all (any status: an S3 endpoint's root may well say 403). */
async function answers(url: string, timeoutMs: number): Promise<void> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new UserError(`AWS_ENDPOINT_URL=${url} is set but does not answer (${why})`);
  }
}

const S3: LocalServiceCli = {
  name: 's3',
  noun: 'S3',
  upTimeoutSeconds: 60,
  up: minioUp,
  down: minioDown,
  status: minioStatus,
  logPath: (port) => minioPaths(port).log,
  external(port) {
    const url = externalS3Endpoint(port);
    return url ? { variable: 'AWS_ENDPOINT_URL', value: url, check: (timeoutMs) => answers(url, timeoutMs) } : undefined;
  },
};

/** The actions only the S3 has; undefined for the others. */
async function s3Action(action: string, port: number): Promise<number | undefined> {
  switch (action) {
    case 'env':
      console.log(exportLines(localS3Env(port)));
      return 0;
    case 'install': {
      // Provisioning only, for CI logs and offline preparation: builds and caches, starts nothing.
      // The path names the pinned version, unless GAMEPIPE_MINIO_BIN chose another binary.
      console.log(`minio: ${await ensureMinio()}`);
      const tools = await ensurePythonTools();
      console.log(`python tools: ${tools.python}`);
      console.log(`duckdb httpfs extension: ${tools.httpfsExtension}`);
      return 0;
    }
    default:
      return undefined;
  }
}

/** `gamepipe s3 up|down|status|env|logs|install`: the local S3 (MinIO) for development and tests. */
export function run(args: string[]): Promise<number> {
  return runServiceCommand(args, USAGE, localS3Port(), S3, s3Action);
}
