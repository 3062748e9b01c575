import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatStorage, gamepipeHome, writeBrokerConfig } from '../../src/broker/local-broker.js';
import { ensureKafkaJars } from '../../src/broker/provision.js';
import { freePort } from '../support/ports.js';

describe("formatting the broker's storage", () => {
  const savedHome = process.env.GAMEPIPE_HOME;
  let dir: string | undefined;
  afterEach(async () => {
    process.env.GAMEPIPE_HOME = savedHome;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // base64url cluster ids start with '-' one time in 64; CI once failed on exactly that.
  it("accepts a cluster id that starts with '-', and explains a failure in one line", async () => {
    const libs = await ensureKafkaJars(join(gamepipeHome(), 'kafka'));
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-format-'));
    process.env.GAMEPIPE_HOME = dir;
    const paths = await writeBrokerConfig(await freePort());

    await formatStorage(libs, paths, '-bcdefghijklmnopqrstuv');
    expect(existsSync(join(paths.data, 'meta.properties'))).toBe(true);

    // Formatting again is refused by Kafka; the message says where and carries Kafka's reason.
    const again = await formatStorage(libs, paths, 'Abcdefghijklmnopqrstuv').then(() => undefined, (err: Error) => err);
    expect(again?.message).toContain(`formatting the broker's storage in ${paths.data} failed: `);
    expect(again?.message).not.toContain('\n');
    expect(again?.message.length).toBeGreaterThan(`formatting the broker's storage in ${paths.data} failed: `.length + 10);
  });
});
