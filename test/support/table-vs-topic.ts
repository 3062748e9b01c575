import { readTopicWithKcat, type KcatRecord } from './kcat.js';
import { readTable } from './parquet-read.js';

/**
 * The topic as kcat (an independent reader) reads it and a job's Parquet table, each also as
 * sorted `partition:event_id` keys, so a test can check that the table holds exactly the topic's
 * records, each once and in the partition it was read from.
 */
export async function topicAndTable(brokers: string[], topic: string, tableDir: string): Promise<{
  topicRecords: KcatRecord[];
  tableRows: Record<string, unknown>[];
  inTopic: string[];
  inTable: string[];
}> {
  const topicRecords = await readTopicWithKcat(brokers, topic);
  const tableRows = await readTable(tableDir);
  return {
    topicRecords,
    tableRows,
    inTopic: topicRecords.map((r) => `${r.partition}:${(JSON.parse(r.value) as { event_id: string }).event_id}`).sort(),
    inTable: tableRows.map((r) => `${r.partition}:${r.event_id}`).sort(),
  };
}
