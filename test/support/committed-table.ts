import { join } from 'node:path';
import { ColumnBatch } from '../../src/runtime/batch/column-batch.js';
import { defaultParquetEncoder } from '../../src/parquet/parquet-encoder.js';
import { TableCommitter } from '../../src/table/folder/commit-protocol.js';
import { dataFileName, type TableLayout } from '../../src/table/folder/layout.js';

/** The columns of the test tables: an id that must be seen exactly once, and a payload. */
export const TEST_COLUMNS = [
  { name: 'event_id', type: 'string' as const },
  { name: 'quantity', type: 'int' as const },
];

/**
 * Commits one small file per batch into partition folder `partition` of the table, through the
 * real commit protocol (staging, intent, rename, checkpoint), as a runner would. Returns the ids.
 */
export async function commitBatches(committer: TableCommitter, layout: TableLayout, partition: string, batches: number, rowsPerBatch: number, topic = 'fixture', startOffset = 0): Promise<string[]> {
  const encoder = defaultParquetEncoder();
  const ids: string[] = [];
  let offset = startOffset;
  for (let b = 0; b < batches; b++) {
    const batch = new ColumnBatch(TEST_COLUMNS);
    for (let r = 0; r < rowsPerBatch; r++) {
      const id = `${topic}-${offset + r}`;
      ids.push(id);
      batch.append([id, r]);
    }
    const final = join(layout.table, partition, dataFileName(topic, 0, String(offset), 0));
    const staged = await committer.stage(await encoder.encode(batch.toArrowTable()), final);
    const outcome = await committer.commit({ topic, partition: 0, from: String(offset), next: String(offset + rowsPerBatch), files: [staged] });
    if (outcome !== 'committed') throw new Error(`fixture commit at ${offset} was ${outcome}`);
    offset += rowsPerBatch;
  }
  return ids;
}
