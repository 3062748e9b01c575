import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { gamepipeHome } from '../local-service/home.js';
import { sqlString } from '../sql-text.js';
import { UserError } from '../user-error.js';

/**
 * Where gamepipe's DuckDB keeps installed extensions: a folder of its own, so installing httpfs
 * from a local file never writes to the user's ~/.duckdb.
 */
export function duckdbExtensionDirectory(): string {
  return join(gamepipeHome(), 'duckdb-extensions');
}

/** Installs httpfs from the extension file `file` into gamepipe's extension folder and loads it on `connection`. */
export async function loadHttpfs(connection: DuckDBConnection, file: string): Promise<void> {
  await connection.run(`SET extension_directory = ${sqlString(duckdbExtensionDirectory())}`);
  await connection.run(`INSTALL ${sqlString(file)}`);
  await connection.run('LOAD httpfs');
}

/**
 * Installs the httpfs extension from `file` into gamepipe's extension folder and loads it in an
 * in-memory DuckDB with the signature check on; a refusal becomes a UserError naming the file.
 */
export async function installHttpfs(file: string): Promise<void> {
  await mkdir(duckdbExtensionDirectory(), { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await loadHttpfs(connection, file);
  } catch (err) {
    const version = (await connection.runAndReadAll('SELECT version()').catch(() => undefined))?.getRows()[0]?.[0];
    const why = String((err as Error).message).split('\n')[0];
    throw new UserError(`DuckDB ${version ?? ''} did not load the httpfs extension ${file}: ${why}`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
