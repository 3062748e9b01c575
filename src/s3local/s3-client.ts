import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from './s3-env.js';

/** An S3 client for `env`. Path-style addressing: MinIO on 127.0.0.1 has no per-bucket host names. */
export function s3Client(env: S3Env): S3Client {
  // gamepipe supports Node 20 on purpose; the SDK's multi-line notice about its future Node 22
  // requirement would break the CLI's one-line output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    forcePathStyle: true,
  });
}

/** Creates `bucket` unless it exists already; safe to call on every `up`. */
export async function ensureBucket(env: S3Env, bucket: string): Promise<void> {
  const client = s3Client(env);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  } finally {
    client.destroy();
  }
}
