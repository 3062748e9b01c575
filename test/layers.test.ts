import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
// The layers the runtime is built on; none of them may reach back up into it.
const LOWER_LAYERS = ['dsl', 'kafka', 'parquet', 'table', 'query', 'console', 'status', 'workers'];
const RUNTIME = join(SRC, 'runtime');

/** Every TypeScript or JavaScript source file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|mjs|js)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** The relative module specifiers `file` imports or exports from (static and dynamic). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('layers', () => {
  it('the lower layers import nothing from src/runtime/', () => {
    const upward = LOWER_LAYERS.flatMap((layer) =>
      sources(join(SRC, layer)).flatMap((file) =>
        relativeImports(file)
          .filter((spec) => resolve(file, '..', spec).startsWith(RUNTIME + '/'))
          .map((spec) => `${relative(SRC, file)} imports ${spec}`),
      ),
    );
    expect(upward).toEqual([]);
  });

  it('nothing outside src/kafka/ imports a Kafka client library', () => {
    const api = fileURLToPath(new URL('../api/', import.meta.url));
    const outside = [...sources(SRC), ...sources(api)]
      .filter((file) => !file.startsWith(join(SRC, 'kafka') + '/'))
      .filter((file) => /(from\s+|import\(\s*)['"](@platformatic\/kafka|kafkajs)['"]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(outside).toEqual([]);
  });
});
