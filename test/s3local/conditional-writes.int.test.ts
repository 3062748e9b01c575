import { GetObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../src/table/storage/s3-store.js';
import { LOCAL_S3_BUCKET } from '../../src/s3local/s3-env.js';
import { suiteS3Env } from './suite-s3.js';

const WRITERS = 16;
const KEYS = 20;

// The table layer commits a Delta log entry by creating its key only if absent; two writers
// racing for the same version must never both believe they won.
describe('conditional PutObject (If-None-Match: *) on the suite S3', () => {
  let client: S3Client;
  beforeAll(async () => {
    client = await s3Client(suiteS3Env());
  });
  afterAll(() => client?.destroy());

  it(`lets exactly one of ${WRITERS} concurrent writers create a new key, ${KEYS} times over`, async () => {
    const run = randomUUID();
    for (let k = 0; k < KEYS; k++) {
      const key = `conditional-writes/${run}/_delta_log/${String(k).padStart(20, '0')}.json`;
      const results = await Promise.allSettled(
        Array.from({ length: WRITERS }, (_, writer) =>
          client.send(new PutObjectCommand({ Bucket: LOCAL_S3_BUCKET, Key: key, Body: `writer ${writer}`, IfNoneMatch: '*' })),
        ),
      );
      const winners = results.flatMap((r, writer) => (r.status === 'fulfilled' ? [writer] : []));
      expect(winners).toHaveLength(1);

      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        expect(r.reason).toBeInstanceOf(S3ServiceException);
        const err = r.reason as S3ServiceException;
        // 412: the key exists; 409 ConditionalRequestConflict: another conditional write to it was in flight.
        expect([412, 409]).toContain(err.$metadata.httpStatusCode);
        if (err.$metadata.httpStatusCode === 409) expect(err.name).toBe('ConditionalRequestConflict');
      }

      const stored = await client.send(new GetObjectCommand({ Bucket: LOCAL_S3_BUCKET, Key: key }));
      expect(await stored.Body!.transformToString()).toBe(`writer ${winners[0]}`);
    }
  });
});
