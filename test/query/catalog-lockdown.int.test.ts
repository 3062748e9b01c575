import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../src/query/catalog.js';
import type { JobTable } from '../../src/query/job-tables.js';
import { UserError } from '../../src/user-error.js';

// The catalog's lockdown is the console's second wall, behind the SQL allow-list: these statements
// run on the catalog directly, as if the allow-list had let them through.

function table(name: string, location: string): JobTable {
  return { name, job: name, kind: 'output', location, files: async () => [], columns: [{ name: 'size', type: 'string' }], partitionBy: [] };
}

describe('a locked-down catalog over an S3 table', () => {
  let dir: string;
  let catalog: Catalog;
  const cwd = process.cwd();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-lockdown-'));
    // DuckDB's default temp directory is ./.tmp, which it used to add to the allowed directories.
    await mkdir(join(dir, '.tmp'));
    await writeFile(join(dir, '.tmp', 'spilled.txt'), 'not for the console');
    process.chdir(dir);
    catalog = await openCatalog([table('s3_horses', 's3://gamepipe/lockdown/s3_horses'), table('local_horses', join(dir, 'data'))], { lockdown: true, memoryLimit: '256MB', threads: 1 });
  });
  afterAll(async () => {
    catalog?.close();
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  });

  const value = async (sql: string) => (await catalog.query(sql)).text[0]![0];

  it('holds no S3 credential in any setting: the key lives in a secret, shown redacted', async () => {
    const secret = process.env.AWS_SECRET_ACCESS_KEY!;
    expect(secret).toBeTruthy();
    expect(await value("SELECT current_setting('s3_secret_access_key')")).toBe('');
    expect(await value("SELECT current_setting('s3_access_key_id')")).toBe('');
    const settings = await catalog.query('SELECT name, value FROM duckdb_settings()');
    expect(JSON.stringify(settings.text)).not.toContain(secret);
    const secrets = await catalog.query('SELECT secret_string FROM duckdb_secrets()');
    expect(secrets.text.length).toBe(1);
    expect(JSON.stringify(secrets.text)).not.toContain(secret);
  });

  it('does not allow its temp directory, and spills nothing', async () => {
    expect(await value("SELECT current_setting('temp_directory')")).toBe('');
    await expect(catalog.query(`SELECT * FROM read_text('${join(dir, '.tmp', 'spilled.txt')}')`)).rejects.toThrow(UserError);
    await expect(catalog.query("SELECT * FROM read_text('.tmp/spilled.txt')")).rejects.toThrow(/Permission Error/);
  });

  it('keeps its memory and thread limits locked', async () => {
    expect(await value("SELECT current_setting('threads')")).toBe('1');
    await expect(catalog.query("SET memory_limit = '10GB'")).rejects.toThrow(/locked/);
  });
});
