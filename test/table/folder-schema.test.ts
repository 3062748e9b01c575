import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settleFolderSchema } from '../../src/table/folder/folder-schema.js';
import { SchemaChangeError } from '../../src/table/schema-change.js';
import { UserError } from '../../src/user-error.js';

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

  it('names nested and decimal types as job files write them, records a field added to a struct and refuses its removal', async () => {
    const item = { kind: 'struct' as const, fields: [{ name: 'name', type: 'string' as const }] };
    const amount = { name: 'amount', type: { kind: 'decimal' as const, precision: 10, scale: 2 } };
    await settleFolderSchema(path, dir, [{ name: 'item', type: item }, amount]);
    expect(await record()).toEqual({ columns: [{ name: 'item', type: 'struct<name string>' }, { name: 'amount', type: 'decimal(10,2)' }] });

    const grown = { kind: 'struct' as const, fields: [{ name: 'tags', type: { kind: 'list' as const, element: 'string' as const } }, ...item.fields] };
    await settleFolderSchema(path, dir, [{ name: 'item', type: grown }, amount]);
    const recorded = { columns: [{ name: 'item', type: 'struct<name string, tags list<string>>' }, { name: 'amount', type: 'decimal(10,2)' }] };
    expect(await record()).toEqual(recorded);

    const shrunk = settleFolderSchema(path, dir, [{ name: 'item', type: item }, amount]);
    await expect(shrunk).rejects.toThrow(SchemaChangeError);
    await expect(shrunk).rejects.toThrow(`table ${dir}: column 'item.tags' is list<string> in the table but missing in the job`);
    expect(await record()).toEqual(recorded);
  });

  it('records a struct field and a list element widened from int, and refuses narrowing them back', async () => {
    const qty = (type: 'int' | 'long') => ({ name: 'item', type: { kind: 'struct' as const, fields: [{ name: 'qty', type }] } });
    const counts = (type: 'int' | 'double') => ({ name: 'counts', type: { kind: 'list' as const, element: type } });
    await settleFolderSchema(path, dir, [qty('int'), counts('int')]);
    await settleFolderSchema(path, dir, [qty('long'), counts('double')]);
    const widened = { columns: [{ name: 'item', type: 'struct<qty long>' }, { name: 'counts', type: 'list<double>' }] };
    expect(await record()).toEqual(widened);

    const back = settleFolderSchema(path, dir, [qty('int'), counts('double')]);
    await expect(back).rejects.toThrow(`table ${dir}: column 'item.qty' is long in the table but int in the job; a Parquet folder widens int to long or double only`);
    expect(await record()).toEqual(widened);
  });

  it('says in one line which record it cannot read', async () => {
    await writeFile(path, JSON.stringify({ columns: [{ name: 'item', type: 'struct<name' }] }));
    const settled = settleFolderSchema(path, dir, [{ name: 'id', type: 'string' }]);
    await expect(settled).rejects.toThrow(UserError);
    await expect(settled).rejects.toThrow(`${path}: column 'item' has a type gamepipe cannot read (cannot read the type "struct<name": expected " " at 11); fix or remove the file`);
  });
});
