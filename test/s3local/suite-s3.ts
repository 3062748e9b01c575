import type { S3Env } from '../../src/s3local/s3-env.js';

/** The S3 the global setup provided to this test worker (see test/support/s3-global-setup.ts). */
export function suiteS3Env(): S3Env {
  const { AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION } = process.env;
  if (!AWS_ENDPOINT_URL || !AWS_ACCESS_KEY_ID || !AWS_SECRET_ACCESS_KEY || !AWS_REGION) {
    throw new Error('the S3 global setup did not export AWS_ENDPOINT_URL and the credentials');
  }
  return { AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION };
}
