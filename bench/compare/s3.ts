import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOCAL_S3_BUCKET, localS3Env } from '../../src/s3local/s3-env.js';

const GAMEPIPE = fileURLToPath(new URL('../../bin/gamepipe.js', import.meta.url));

/** The S3 a benchmark writes Delta tables to: its bucket, the AWS_* variables, and how to let it go. */
export interface BenchS3 {
  bucket: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * The configured S3 (AWS_ENDPOINT_URL set: its bucket is GAMEPIPE_BENCH_BUCKET, default `gamepipe`),
 * or the local MinIO through the project's own `gamepipe s3 up`, stopped afterwards if this started it.
 */
export async function ensureBenchS3(): Promise<BenchS3> {
  if (process.env.AWS_ENDPOINT_URL) return { bucket: process.env.GAMEPIPE_BENCH_BUCKET ?? 'gamepipe', env: {}, stop: async () => {} };
  const up = execFileSync(process.execPath, [GAMEPIPE, 's3', 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const env: NodeJS.ProcessEnv = localS3Env();
  const started = /started/.test(up);
  // This process reads the tables too (their files and bytes), through the same variables.
  Object.assign(process.env, env);
  return {
    bucket: LOCAL_S3_BUCKET,
    env,
    stop: async () => {
      if (started) execFileSync(process.execPath, [GAMEPIPE, 's3', 'down'], { stdio: 'ignore' });
    },
  };
}
