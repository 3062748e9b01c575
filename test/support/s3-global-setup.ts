import { ensurePythonTools } from '../../src/pytools/python-tools.js';
import { minioDown, minioUp } from '../../src/s3local/local-minio.js';
import { ensureMinio } from '../../src/s3local/provision-minio.js';
import { externalS3Endpoint, localS3Env, localS3Port } from '../../src/s3local/s3-env.js';

let startedPort: number | undefined;

/**
 * Ensures an S3 for the whole run (AWS_ENDPOINT_URL when it names another one, else the local MinIO)
 * and the Python tools that check tables independently. vitest puts no time limit on global setup,
 * so the first MinIO build and venv install may take their minutes here. Only a MinIO this setup
 * started is stopped afterwards.
 */
export async function setup(): Promise<void> {
  // Test workers are forked after global setup, so they inherit everything exported here.
  const tools = await ensurePythonTools();
  process.env.GAMEPIPE_PYTHON = tools.python;
  process.env.GAMEPIPE_HTTPFS_EXTENSION = tools.httpfsExtension;
  // Tests that start a MinIO of their own, in a temp GAMEPIPE_HOME, reuse this build.
  process.env.GAMEPIPE_MINIO_BIN = await ensureMinio();

  const port = localS3Port();
  if (externalS3Endpoint(port)) return;
  const { started } = await minioUp(port);
  if (started) startedPort = port;
  Object.assign(process.env, localS3Env(port));
}

export async function teardown(): Promise<void> {
  if (startedPort !== undefined) await minioDown(startedPort);
}
