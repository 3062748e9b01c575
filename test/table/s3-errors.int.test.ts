import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gamepipe } from '../support/gamepipe-cli.js';
import { freePort } from '../support/ports.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('a delta table on an S3 that cannot be used', () => {
  it('gets one line naming the object, the cause and the endpoint, and exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-s3-errors-'));
    dirs.push(dir);
    await mkdir(join(dir, 'jobs'));
    await writeFile(join(dir, 'jobs', 'h.job.yaml'), 'job: h\nsource: { topic: events }\nschema:\n  size: string\nsink:\n  path: s3://gamepipe/errors/h\n  format: delta\n');
    // A port nothing listens on: the endpoint does not answer.
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const env = { ...process.env, AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' };
    const out = await gamepipe(dir, ['tables', '--jobs', 'jobs'], { env });
    expect(out.code).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      `gamepipe tables: S3 request for s3://gamepipe/errors/h/_delta_log/_last_checkpoint failed: connect ECONNREFUSED ${endpoint.slice(7)} (AWS_ENDPOINT_URL=${endpoint})`,
    ]);

    // Wrong keys on the real MinIO: S3's own reason.
    const denied = await gamepipe(dir, ['tables', '--jobs', 'jobs'], { env: { ...process.env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^gamepipe tables: S3 request for s3:\/\/gamepipe\/errors\/h\/_delta_log\/_last_checkpoint failed: The request signature we calculated does not match/);
    expect(denied.stderr.trim().split('\n')).toHaveLength(1);
  });
});
