import type { DuckDBConnection } from '@duckdb/node-api';
import { loadHttpfs } from '../pytools/httpfs-extension.js';
import { s3Endpoint, s3Region } from '../table/storage/s3-store.js';
import { ensurePythonTools } from '../pytools/python-tools.js';
import { sqlString } from '../sql-text.js';

/** The httpfs extension file: GAMEPIPE_HTTPFS_EXTENSION, else the one the project's Python tools install (first use only). */
async function httpfsExtensionFile(): Promise<string> {
  return process.env.GAMEPIPE_HTTPFS_EXTENSION ?? (await ensurePythonTools()).httpfsExtension;
}

/**
 * Lets DuckDB read `s3://` files: loads httpfs from a local extension file (nothing is downloaded;
 * DuckDB's signature check stays on, so only a binary DuckDB signed loads) and gives it the
 * standard AWS_* variables as an S3 secret, the only place the credentials are kept.
 */
export async function enableS3Reads(conn: DuckDBConnection, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await loadHttpfs(conn, await httpfsExtensionFile());
  const options = [`TYPE s3`, `REGION ${sqlString(s3Region(env))}`];
  if (env.AWS_ACCESS_KEY_ID) options.push(`KEY_ID ${sqlString(env.AWS_ACCESS_KEY_ID)}`, `SECRET ${sqlString(env.AWS_SECRET_ACCESS_KEY ?? '')}`);
  if (env.AWS_SESSION_TOKEN) options.push(`SESSION_TOKEN ${sqlString(env.AWS_SESSION_TOKEN)}`);
  const endpoint = s3Endpoint(env);
  if (endpoint) {
    const url = new URL(endpoint);
    options.push(`ENDPOINT ${sqlString(url.host)}`, `URL_STYLE 'path'`, `USE_SSL ${url.protocol === 'https:'}`);
  }
  await conn.run(`CREATE OR REPLACE SECRET gamepipe_s3 (${options.join(', ')})`);
  // httpfs copies the AWS_* variables into settings of its own when it loads, where
  // current_setting() and duckdb_settings() would show them; the secret above is what reads use.
  for (const setting of CREDENTIAL_SETTINGS) await conn.run(`SET ${setting} = ''`);
}

const CREDENTIAL_SETTINGS = ['s3_access_key_id', 's3_secret_access_key', 's3_session_token'];
