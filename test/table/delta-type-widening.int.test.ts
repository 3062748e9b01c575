import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitKey, serializeActions, type Action } from '../../src/table/delta/actions.js';
import { DeltaLog } from '../../src/table/delta/delta-log.js';
import { parseSchemaString, schemaString } from '../../src/table/delta/schema.js';
import { parquetEncoderByName } from '../../src/parquet/parquet-encoder.js';
import { objectStoreAt, openJobStore } from '../../src/table/open-job-store.js';
import { deltaJob, horseBatch } from '../support/delta-jobs.js';
import { readWithDeltaRs } from '../support/delta-rs.js';

// Why gamepipe refuses to widen a Delta column (docs/decisions/delta-type-widening.md): delta-rs
// cannot read a table with the `typeWidening` feature. When it can, this test fails, and gamepipe
// may start writing the feature.
describe('a Delta table with the typeWidening feature', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('is refused by delta-rs, which reads the same table before the widening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gamepipe-widening-'));
    dirs.push(dir);
    const path = join(dir, 'horses');
    const job = deltaJob(path);
    const store = openJobStore(job);
    await store.open();
    expect((await store.commit(horseBatch(job, 0, 2, [['large', 1], ['small', 2]]))).outcome).toBe('committed');
    expect((await readWithDeltaRs(path, ['quantity'])).values.quantity!.map(Number).sort()).toEqual([1, 2]);

    // The widening as the protocol writes it: protocol 3/7 with the feature, the property, and the
    // field's type change in its metadata.
    const log = new DeltaLog(objectStoreAt(path), parquetEncoderByName('parquet-wasm-snappy'));
    const snapshot = await log.refresh();
    const meta = snapshot.metaData!;
    const fields = parseSchemaString(meta.schemaString).map((f) =>
      f.name === 'quantity' ? { ...f, type: 'long', metadata: { 'delta.typeChanges': [{ fromType: 'integer', toType: 'long' }] } } : f,
    );
    const widening = serializeActions([
      { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['typeWidening'], writerFeatures: ['typeWidening'] } } as unknown as Action, // gamepipe's ProtocolAction has no feature lists
      { metaData: { ...meta, schemaString: schemaString(fields), configuration: { ...meta.configuration, 'delta.enableTypeWidening': 'true' } } },
    ]);
    await writeFile(join(path, commitKey(snapshot.version + 1)), widening);

    await expect(readWithDeltaRs(path, ['quantity'])).rejects.toThrow(/typeWidening.*not yet supported by the deltalake reader/);
  });
});
