import { Table, tableFromArrays, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { RememberedWritePlans, writePlanFor } from '../../src/parquet/parquet-write-plan.js';

/** A plan function that counts its calls and says which one made a plan. */
function counting() {
  const made: number[] = [];
  const planFor = (table: Table) => {
    made.push(made.length + 1);
    return { ...writePlanFor(table), dictionaryPageBytes: made.length };
  };
  return { made, plans: new RememberedWritePlans(planFor) };
}

const ROWS = 2048;
const ids = tableFromArrays({ id: Int32Array.from({ length: ROWS }, (_, i) => i) });
const text = (values: string[]) => new Table({ name: vectorFromArray(values, new Utf8()) });
const names = text(Array.from({ length: ROWS }, (_, i) => `n${i % 3}`));

describe('RememberedWritePlans', () => {
  it('plans a table once per 16 batches, and each table apart', () => {
    const { made, plans } = counting();
    const first = Array.from({ length: 16 }, () => plans.planOf(ids, 'data/a'));
    expect(made).toEqual([1]);
    expect(new Set(first.map((p) => p.dictionaryPageBytes))).toEqual(new Set([1]));
    expect(plans.planOf(ids, 'data/b').dictionaryPageBytes).toBe(2);
    expect(plans.planOf(ids, 'data/a').dictionaryPageBytes).toBe(3);
  });

  it('remembers no plan made from a small batch', () => {
    const { made, plans } = counting();
    // Three colours in three rows look unique; the same column over many rows repeats.
    const few = text(['red', 'blue', 'green']);
    expect(plans.planOf(few, 'data/a').columns[0]!.dictionary).toBe(false);
    const many = plans.planOf(names, 'data/a');
    expect(many.columns[0]!.dictionary).toBeUndefined();
    expect(many.columns).toEqual(writePlanFor(names).columns);
    expect(made).toEqual([1, 2]);
  });

  it('plans afresh when the columns change, and every batch without a table key', () => {
    const { made, plans } = counting();
    plans.planOf(ids, 'data/a');
    const renamed = plans.planOf(names, 'data/a');
    expect(renamed.dictionaryPageBytes).toBe(2);
    expect(renamed.columns).toEqual(writePlanFor(names).columns);
    plans.planOf(ids, undefined);
    plans.planOf(ids, undefined);
    expect(made).toEqual([1, 2, 3, 4]);
  });
});
