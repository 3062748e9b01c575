import type { DuckDBConnection } from '@duckdb/node-api';
import { UserError } from '../user-error.js';
import { sqlString } from './sql-text.js';

/** Where the httpfs extension file is: set by the project's Python tools (see ensurePythonTools). */
async function httpfsExtensionFile(): Promise<string> {
  const fromEnv = process.env.GAMEPIPE_DUCKDB_HTTPFS;
  if (fromEnv) return fromEnv;
  throw new UserError('reading s3:// tables needs DuckDB\'s httpfs extension; set GAMEPIPE_DUCKDB_HTTPFS');
}

/**
 * Lets DuckDB read `s3://` files: loads httpfs from a local extension file (nothing is downloaded;
 * DuckDB's signature check stays on, so only a binary DuckDB signed loads) and gives it the
 * standard AWS_* variables as an S3 secret.
 */
export async function enableS3Reads(conn: DuckDBConnection, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await conn.run(`INSTALL ${sqlString(await httpfsExtensionFile())}`);
  await conn.run('LOAD httpfs');
  const options = [`TYPE s3`, `REGION ${sqlString(env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1')}`];
  if (env.AWS_ACCESS_KEY_ID) options.push(`KEY_ID ${sqlString(env.AWS_ACCESS_KEY_ID)}`, `SECRET ${sqlString(env.AWS_SECRET_ACCESS_KEY ?? '')}`);
  if (env.AWS_SESSION_TOKEN) options.push(`SESSION_TOKEN ${sqlString(env.AWS_SESSION_TOKEN)}`);
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) {
    const url = new URL(endpoint);
    options.push(`ENDPOINT ${sqlString(url.host)}`, `URL_STYLE 'path'`, `USE_SSL ${url.protocol === 'https:'}`);
  }
  await conn.run(`CREATE OR REPLACE SECRET gamepipe_s3 (${options.join(', ')})`);
}
