import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const source = (path: string) => new URL(`../../../src/${path}`, import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'gamepipe-idle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('idle runtime threads', () => {
  it('hold nothing open: a process whose processing and Parquet threads started but have no work ends by itself', () => {
    // No process.exit here: the runner's exit used to wait for its 200 ms fallback timer, because a
    // 'message' listener added after unref() refs a worker's port again.
    const script = join(dir, 'idle.mjs');
    writeFileSync(
      script,
      [
        `import { ProcessingPool } from '${source('runtime/processing/processing-pool.ts')}';`,
        `import { parquetWasmEncoder } from '${source('parquet/parquet-wasm-encoder.ts')}';`,
        `new ProcessingPool(1, (err) => console.log('thread failed:', err.message)).warmUp();`,
        `parquetWasmEncoder('snappy').warmUp();`,
        // Long enough for both threads to be up and waiting for work.
        `setTimeout(() => console.log('idle'), 1500);`,
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stdout.trim()).toBe('idle');
    // Killed by the timeout otherwise.
    expect([child.signal, child.status]).toEqual([null, 0]);
  });
});
