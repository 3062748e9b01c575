/** Development credentials of the local MinIO; it listens on 127.0.0.1 only, so they guard nothing real. */
export const LOCAL_S3_ACCESS_KEY = 'gamepipe';
export const LOCAL_S3_SECRET_KEY = 'gamepipe-dev-secret';
export const LOCAL_S3_REGION = 'us-east-1';
/** The bucket `gamepipe s3 up` creates for the jobs' tables. */
export const LOCAL_S3_BUCKET = 'gamepipe';

/** The variables the AWS SDKs, DuckDB and delta-rs read to reach an S3 endpoint. */
export type S3Env = {
  AWS_ENDPOINT_URL: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
};

/** The port the local S3 listens on (GAMEPIPE_S3_PORT, default 9000). */
export function localS3Port(): number {
  const raw = process.env.GAMEPIPE_S3_PORT;
  const port = raw ? Number(raw) : 9000;
  return Number.isInteger(port) && port > 0 && port < 65535 ? port : 9000;
}

/** The environment that points S3 clients at the local MinIO on `port`. */
export function localS3Env(port = localS3Port()): S3Env {
  return {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: LOCAL_S3_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_SECRET_KEY,
    AWS_REGION: LOCAL_S3_REGION,
  };
}

/**
 * AWS_ENDPOINT_URL when it names an S3 other than the local one on `port`; then nothing starts a
 * local MinIO. After `eval "$(gamepipe s3 env)"` it names the local one, which is still ours to manage.
 */
export function externalS3Endpoint(port = localS3Port()): string | undefined {
  const url = process.env.AWS_ENDPOINT_URL?.trim();
  if (!url) return undefined;
  return url.replace(/\/+$/, '') === localS3Env(port).AWS_ENDPOINT_URL ? undefined : url;
}

/** `export NAME=value` lines for `eval "$(gamepipe s3 env)"`; the values hold no shell metacharacters. */
export function exportLines(env: S3Env): string {
  return Object.entries(env).map(([name, value]) => `export ${name}=${value}`).join('\n');
}
