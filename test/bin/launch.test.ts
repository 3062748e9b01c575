import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCli } from '../../bin/launch.js';

describe('the CLI launcher', () => {
  let root: string;
  afterAll(() => rm(root, { recursive: true, force: true }));

  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  const builds = () => readdirSync(join(root, 'node_modules/.cache/gamepipe-cli'));

  it('bundles the sources, reuses the bundle while they are unchanged, and rebuilds when one changes', async () => {
    root = await mkdtemp(join(tmpdir(), 'gamepipe-launch-'));
    await write('src/cli/main.ts', "import { answer } from './answer.js';\nexport async function main(): Promise<unknown> { return answer; }\n");
    await write('src/cli/answer.ts', 'export const answer: number = 1;\n');
    await write('src/parquet/parquet-wasm-thread.mjs', '// worker\n');
    await write('src/runtime/processing/processing-worker.ts', 'export {};\n');
    await write('src/console/query-process.ts', 'export {};\n');
    await write('api/events.yaml', 'events: {}\n');

    expect(await (await loadCli(root)).main([])).toBe(1);
    expect(builds()).toHaveLength(1);
    // Files opened relative to their module sit beside the bundle.
    expect(existsSync(join(root, 'node_modules/.cache/gamepipe-cli', builds()[0], 'events.yaml'))).toBe(true);
    expect(existsSync(join(root, 'node_modules/.cache/gamepipe-cli', builds()[0], 'parquet-wasm-thread.mjs'))).toBe(true);

    expect(await (await loadCli(root)).main([])).toBe(1);
    expect(builds()).toHaveLength(1);

    await write('src/cli/answer.ts', 'export const answer: number = 42;\n');
    expect(await (await loadCli(root)).main([])).toBe(42);
    expect(builds()).toHaveLength(2);

    await write('src/cli/answer.ts', 'export const answer: number = ;\n');
    await expect(loadCli(root)).rejects.toThrow(/answer\.ts/);
    // A failed build leaves no half-built folder behind for a later run to trust.
    expect(builds()).toHaveLength(2);
  });

  it('rebuilds when a bundled package is updated in place (npm update), sources unchanged', async () => {
    await write('src/cli/answer.ts', 'export const answer: number = 42;\n');
    await write('node_modules/@platformatic/kafka/package.json', '{"version": "1.35.0"}\n');
    expect(await (await loadCli(root)).main([])).toBe(42);
    const before = builds().length;
    await write('node_modules/@platformatic/kafka/package.json', '{"version": "1.35.1"}\n');
    expect(await (await loadCli(root)).main([])).toBe(42);
    expect(builds()).toHaveLength(before + 1);
  });
});
