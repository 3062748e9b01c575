import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settleFolderSchema } from '../../src/table/folder/folder-schema.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';

describe("a Parquet folder's schema record", () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gamepipe-folder-schema-'));
    await mkdir(join(dir, '_gamepipe'));
    path = join(dir, '_gamepipe', 'schema.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const record = async () => JSON.parse(await readFile(path, 'utf8')) as unknown;

  it('records the first job schema, adds columns and widens types, and keeps the record on a refusal', async () => {
    await settleFolderSchema(path, dir, [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int' },
    ]);
    expect(await record()).toEqual({ columns: [{ name: 'id', type: 'string' }, { name: 'n', type: 'int' }] });

    await settleFolderSchema(path, dir, [
      { name: 'n', type: 'long' },
      { name: 'id', type: 'string' },
      { name: 'region', type: 'string' },
    ]);
    const widened = { columns: [{ name: 'id', type: 'string' }, { name: 'n', type: 'long' }, { name: 'region', type: 'string' }] };
    expect(await record()).toEqual(widened);

    // Going back to the older job now narrows `n` and removes `region`.
    const back = settleFolderSchema(path, dir, [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int' },
    ]);
    await expect(back).rejects.toThrow(SchemaChangeError);
    await expect(back).rejects.toThrow(`table ${dir}: column 'n' is long in the table but int in the job`);
    expect(await record()).toEqual(widened);
  });

  it('names nested and decimal types as job files write them, and refuses a field added to a struct', async () => {
    const item = { kind: 'struct' as const, fields: [{ name: 'name', type: 'string' as const }] };
    await settleFolderSchema(path, dir, [
      { name: 'item', type: item },
      { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 } },
    ]);
    expect(await record()).toEqual({ columns: [{ name: 'item', type: 'struct<name string>' }, { name: 'amount', type: 'decimal(10,2)' }] });
    const grown = { kind: 'struct' as const, fields: [...item.fields, { name: 'price', type: 'double' as const }] };
    await expect(settleFolderSchema(path, dir, [{ name: 'item', type: grown }, { name: 'amount', type: { kind: 'decimal', precision: 10, scale: 2 } }])).rejects.toThrow(
      "column 'item' is struct<name string> in the table but struct<name string, price double> in the job",
    );
  });
});

