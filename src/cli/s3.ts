import { readFile } from 'node:fs/promises';
import { ensurePythonTools } from '../pytools/python-tools.js';
import { minioDown, minioPaths, minioStatus, minioUp } from '../s3local/local-minio.js';
import { ensureMinio, MINIO_VERSION } from '../s3local/provision-minio.js';
import { exportLines, externalS3Endpoint, localS3Env, localS3Port } from '../s3local/s3-env.js';
import { UserError } from '../user-error.js';
import { intFlag, parseFlags } from './args.js';

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

/** `gamepipe s3 up|down|status|env|logs|install`: the local S3 (MinIO) for development and tests. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    port: { type: 'string' },
    timeout: { type: 'string' },
    lines: { type: 'string' },
  });
  const [action, ...extra] = positionals;
  if (!action || extra.length) throw new UserError(USAGE, 2);
  const port = intFlag(values.port, 'port', localS3Port(), 1, 65535);

  const external = externalS3Endpoint(port);
  if (external && (action === 'up' || action === 'status')) {
    await answers(external, intFlag(values.timeout, 'timeout', 10, 1, 3600) * 1000);
    console.log(`AWS_ENDPOINT_URL is set: using ${external}; no local S3 is started`);
    return 0;
  }

  switch (action) {
    case 'up': {
      const { endpoint, started } = await minioUp(port, intFlag(values.timeout, 'timeout', 60, 1, 3600) * 1000);
      console.log(started ? `s3 started: ${endpoint}` : `s3 already running: ${endpoint}`);
      return 0;
    }
    case 'down': {
      const stopped = await minioDown(port);
      console.log(stopped ? `s3 on port ${port} stopped` : `no local s3 was running on port ${port}`);
      return 0;
    }
    case 'status': {
      const status = await minioStatus(port);
      console.log(status.running ? `running: ${status.endpoint} (pid ${status.pid})` : `not running (port ${port})`);
      return status.running ? 0 : 3;
    }
    case 'env':
      console.log(exportLines(localS3Env(port)));
      return 0;
    case 'logs': {
      const lines = intFlag(values.lines, 'lines', 50, 1, 1_000_000);
      const log = minioPaths(port).log;
      const text = await readFile(log, 'utf8').catch(() => {
        throw new UserError(`no s3 log yet at ${log}`);
      });
      console.log(text.trimEnd().split('\n').slice(-lines).join('\n'));
      return 0;
    }
    case 'install': {
      // Provisioning only, for CI logs and offline preparation: builds and caches, starts nothing.
      console.log(`minio ${MINIO_VERSION}: ${await ensureMinio()}`);
      const tools = await ensurePythonTools();
      console.log(`python tools: ${tools.python}`);
      console.log(`duckdb httpfs extension: ${tools.httpfsExtension}`);
      return 0;
    }
    default:
      throw new UserError(`unknown action '${action}'; ${USAGE}`, 2);
  }
}
