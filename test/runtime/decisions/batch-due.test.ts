import { describe, expect, it } from 'vitest';
import { batchDue, type OpenBatchSize } from '../../../src/runtime/decisions/batch-due.js';

const bounds = { triggerMs: 10_000, maxRows: 1000, maxBytes: 1 << 20 };
const batch = (rows: number, rejectedRows = 0, bytes = 0): OpenBatchSize => ({ rows, rejectedRows, bytes });

describe("a job's decision that a batch is due", () => {
  it('is due once the trigger has passed since the last commit, and not before', () => {
    expect(batchDue(19_999, 10_000, bounds, [batch(5)])).toBe(false);
    expect(batchDue(20_000, 10_000, bounds, [batch(5)])).toBe(true);
  });

  it('is due at once for the first records: nothing was committed yet (lastFlush 0)', () => {
    expect(batchDue(Date.now(), 0, bounds, [batch(1)])).toBe(true);
  });

  it('is due before the trigger when one partition reaches max_rows, dead letters included', () => {
    expect(batchDue(10_001, 10_000, bounds, [batch(10), batch(999)])).toBe(false);
    expect(batchDue(10_001, 10_000, bounds, [batch(10), batch(1000)])).toBe(true);
    expect(batchDue(10_001, 10_000, bounds, [batch(600, 400)])).toBe(true);
  });

  it('is due before the trigger when one partition read max_bytes of input, however few rows it kept', () => {
    expect(batchDue(10_001, 10_000, bounds, [batch(0, 0, (1 << 20) - 1)])).toBe(false);
    expect(batchDue(10_001, 10_000, bounds, [batch(0, 0, 1 << 20)])).toBe(true);
  });

  it('is not due with no open batch before the trigger', () => {
    expect(batchDue(10_001, 10_000, bounds, [])).toBe(false);
  });
});
