import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePythonTools } from '../../src/pytools/python-tools.js';
import { s3Client } from '../../src/table/storage/s3-store.js';
import { LOCAL_S3_BUCKET } from '../../src/s3local/s3-env.js';
import { runPython } from '../support/delta-rs.js';
import { suiteS3Env } from './suite-s3.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('python tools', () => {
  it('are what the global setup exported, and a second ensure is a quick no-op', async () => {
    const started = Date.now();
    const tools = await ensurePythonTools();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(tools).toEqual({ python: process.env.GAMEPIPE_PYTHON, httpfsExtension: process.env.GAMEPIPE_HTTPFS_EXTENSION });
  });

  it('the venv python writes and reads a Delta table with delta-rs and pyarrow', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-delta-'));
    dirs.push(dir);
    const script = [
      'import sys, deltalake, pyarrow as pa',
      'table = pa.table({"player": ["ann", "bob"], "coins": [3, 5]})',
      'deltalake.write_deltalake(sys.argv[1], table)',
      'read = deltalake.DeltaTable(sys.argv[1])',
      'print(deltalake.__version__, read.version(), sorted(read.to_pyarrow_table().column("coins").to_pylist()))',
    ].join('\n');
    const stdout = await runPython(script, [join(dir, 'coins')]);
    expect(stdout.trim()).toBe('1.6.6 0 [3, 5]');
  });

  it('the httpfs extension loads in the project DuckDB with signature checks on and reads s3:// from the suite S3', async () => {
    const env = suiteS3Env();
    const key = `httpfs/${randomUUID()}.csv`;
    const client = await s3Client(env);
    try {
      await client.send(new PutObjectCommand({ Bucket: LOCAL_S3_BUCKET, Key: key, Body: 'player,coins\nann,3\nbob,5\n' }));
    } finally {
      client.destroy();
    }
    const extensions = await mkdtemp(join(tmpdir(), 'gamepipe-duckdb-ext-'));
    dirs.push(extensions);
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      await db.run(`SET extension_directory = '${extensions}'`);
      await db.run(`INSTALL '${process.env.GAMEPIPE_HTTPFS_EXTENSION}'`);
      await db.run('LOAD httpfs');
      const unsigned = await db.runAndReadAll("SELECT current_setting('allow_unsigned_extensions') AS allowed");
      expect(unsigned.getRowObjects()).toEqual([{ allowed: false }]);

      const endpoint = new URL(env.AWS_ENDPOINT_URL);
      await db.run(`CREATE SECRET local_s3 (TYPE s3, KEY_ID '${env.AWS_ACCESS_KEY_ID}', SECRET '${env.AWS_SECRET_ACCESS_KEY}',
        REGION '${env.AWS_REGION}', ENDPOINT '${endpoint.host}', URL_STYLE 'path', USE_SSL ${endpoint.protocol === 'https:'})`);
      const rows = await db.runAndReadAll(`SELECT sum(coins)::INTEGER AS coins FROM read_csv('s3://${LOCAL_S3_BUCKET}/${key}')`);
      expect(rows.getRowObjects()).toEqual([{ coins: 8 }]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });
});
