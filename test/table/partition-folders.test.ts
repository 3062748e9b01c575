import { describe, expect, it } from 'vitest';
import type { PartitionField } from '../../src/dsl/job-spec.js';
import { compactionTakes, MAX_FOLDER_NAME_BYTES, partitionFolderProblem, escapePartitionValue, HIVE_DEFAULT_PARTITION, parsePartitionPath, partitionPath, unescapePartitionValue } from '../../src/table/partition-folders.js';

const field = (name: string, transform: PartitionField['transform'], type: PartitionField['type'] = 'string'): PartitionField => ({ name, text: name, transform, source: 0, type });

describe('partition folders', () => {
  it("escape what Hive's escapePathName escapes, as uppercase %XX, and nothing else", () => {
    expect(escapePartitionValue('purchase_horse')).toBe('purchase_horse');
    expect(escapePartitionValue('a/b:c=d%e')).toBe('a%2Fb%3Ac%3Dd%25e');
    expect(escapePartitionValue('"#\'*?\\{[]^')).toBe('%22%23%27%2A%3F%5C%7B%5B%5D%5E');
    expect(escapePartitionValue('\u0001\n\u001f\u007f')).toBe('%01%0A%1F%7F');
    // Kept: space, non-ASCII, and characters Hive leaves alone.
    expect(escapePartitionValue('a b é 馬 +,;@!$&()<>|}~`.-_')).toBe('a b é 馬 +,;@!$&()<>|}~`.-_');
  });

  it('name null and the empty string by the Hive default partition', () => {
    expect(escapePartitionValue(null)).toBe(HIVE_DEFAULT_PARTITION);
    expect(escapePartitionValue('')).toBe(HIVE_DEFAULT_PARTITION);
    expect(unescapePartitionValue(HIVE_DEFAULT_PARTITION)).toBeNull();
  });

  it('unescape what they escaped', () => {
    for (const v of ['a/b:c=d%e', '%41', '"#\'*?\\{[]^\u0001\u007f', 'é 馬']) expect(unescapePartitionValue(escapePartitionValue(v))).toBe(v);
  });

  it('nest folders in partition_by order and read them back', () => {
    const fields = [field('event_type', 'identity'), field('event_ts_day', 'day', 'date')];
    const path = partitionPath({ event_type: 'a:b', event_ts_day: null });
    expect(path).toBe('event_type=a%3Ab/event_ts_day=__HIVE_DEFAULT_PARTITION__');
    expect(parsePartitionPath(path, fields)).toEqual({ event_type: 'a:b', event_ts_day: null });
    expect(parsePartitionPath('event_ts_day=2026-01-01/event_type=x', fields)).toBeUndefined();
    expect(parsePartitionPath('event_type=x', fields)).toBeUndefined();
    expect(partitionPath({})).toBe('');
    expect(partitionPath({ dt: '2026-11-23' })).toBe('dt=2026-11-23');
  });
});

describe('partition folder names', () => {
  it('are refused past the longest name a file system takes, counted in escaped UTF-8 bytes', () => {
    const fits = 'x'.repeat(MAX_FOLDER_NAME_BYTES - 'k='.length);
    expect(partitionFolderProblem({ k: fits, other: null })).toBeUndefined();
    expect(partitionFolderProblem({ k: `${fits}x` })).toBe(`partition column k: its value makes a folder name of 256 bytes, more than the 255 a file system takes`);
    // '/' takes three bytes escaped, '馬' three in UTF-8.
    expect(partitionFolderProblem({ k: '/'.repeat(84) })).toBeUndefined();
    expect(partitionFolderProblem({ k: '/'.repeat(85) })).toContain('a folder name of 257 bytes');
    expect(partitionFolderProblem({ k: '馬'.repeat(85) })).toContain('a folder name of 257 bytes');
  });
});

describe('which partitions compaction takes', () => {
  const now = Date.UTC(2026, 10, 23, 15);
  const dt = [field('dt', 'dt', 'date')];
  it('takes dt days before today, and today too with includeToday, never later days', () => {
    expect(compactionTakes({ dt: '2026-11-22' }, dt, now, false)).toBe(true);
    expect(compactionTakes({ dt: '2026-11-23' }, dt, now, false)).toBe(false);
    expect(compactionTakes({ dt: '2026-11-23' }, dt, now, true)).toBe(true);
    expect(compactionTakes({ dt: '2026-11-24' }, dt, now, true)).toBe(false);
  });

  it('reads hours and months as the periods they name', () => {
    const hour = [field('ts_hour', 'hour')];
    expect(compactionTakes({ ts_hour: '2026-11-22-23' }, hour, now, false)).toBe(true);
    expect(compactionTakes({ ts_hour: '2026-11-23-00' }, hour, now, false)).toBe(false);
    const month = [field('ts_month', 'month')];
    expect(compactionTakes({ ts_month: '2026-10' }, month, now, false)).toBe(true);
    expect(compactionTakes({ ts_month: '2026-11' }, month, now, false)).toBe(false);
    expect(compactionTakes({ ts_month: '2026-11' }, month, now, true)).toBe(true);
  });

  it('takes a partition with no time column or a null time only with includeToday', () => {
    const fields = [field('event_type', 'identity'), field('ts_day', 'day', 'date')];
    expect(compactionTakes({ event_type: 'x', ts_day: '2026-11-01' }, fields, now, false)).toBe(true);
    expect(compactionTakes({ event_type: 'x', ts_day: null }, fields, now, false)).toBe(false);
    expect(compactionTakes({ event_type: 'x', ts_day: null }, fields, now, true)).toBe(true);
    expect(compactionTakes({ event_type: 'x' }, [field('event_type', 'identity')], now, false)).toBe(false);
    expect(compactionTakes({ event_type: 'x' }, [field('event_type', 'identity')], now, true)).toBe(true);
  });
});
