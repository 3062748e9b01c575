import { BucketAlreadyOwnedByYou, CreateBucketCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../table/storage/s3-store.js';
import type { S3Env } from './s3-env.js';

/** Creates `bucket` unless it exists already; safe to call on every `up`. */
export async function ensureBucket(env: S3Env, bucket: string): Promise<void> {
  const client = await s3Client(env);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    if (!(err instanceof BucketAlreadyOwnedByYou)) throw err;
  } finally {
    client.destroy();
  }
}
