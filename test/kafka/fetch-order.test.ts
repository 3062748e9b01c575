import { describe, expect, it } from 'vitest';
import { FAIR_SHARE_BYTES, FetchOrder } from '../../src/kafka/fetch-order.js';

/** An order of partitions 0, 1, 2, ... `count - 1`, with turns of `share` bytes. */
function orderOf(count: number, share = 100): FetchOrder {
  const order = new FetchOrder(share);
  for (let p = 0; p < count; p++) order.add(p);
  return order;
}

describe('the order partitions are fetched in', () => {
  it('asks new partitions last, in the order they came, and each once', () => {
    const order = orderOf(3);
    order.add(1);
    order.add(7);
    expect(order.partitions).toEqual([0, 1, 2, 7]);
  });

  it('sends a partition to the back once it was served its share, and starts its count again', () => {
    const order = orderOf(3);
    order.answered([[0, 60]], []);
    expect(order.partitions).toEqual([0, 1, 2]);
    order.answered([[0, 40]], []);
    expect(order.partitions).toEqual([1, 2, 0]);
    order.answered([[1, 100]], []);
    order.answered([[0, 99]], []);
    expect(order.partitions).toEqual([2, 0, 1]);
  });

  it('keeps the place of partitions still under their share, whatever others got', () => {
    const order = orderOf(4);
    order.answered([[1, 50], [2, 150], [3, 99]], []);
    expect(order.partitions).toEqual([0, 1, 3, 2]);
  });

  it('sends partitions that ended their turn in one answer to the back in the answer\'s order', () => {
    const order = orderOf(4);
    order.answered([[2, 100], [0, 100]], []);
    expect(order.partitions).toEqual([1, 3, 2, 0]);
  });

  it('asks first the partitions whose answer held no complete batch, in the answer\'s order', () => {
    const order = orderOf(4, 10);
    order.answered([[0, 10]], [3, 2]);
    expect(order.partitions).toEqual([3, 2, 1, 0]);
  });

  it('takes turns of 256 MiB unless told otherwise', () => {
    expect(FAIR_SHARE_BYTES).toBe(256 * 1024 * 1024);
    const order = new FetchOrder();
    order.add(0);
    order.add(1);
    order.answered([[0, FAIR_SHARE_BYTES - 1]], []);
    expect(order.partitions).toEqual([0, 1]);
    order.answered([[0, 1]], []);
    expect(order.partitions).toEqual([1, 0]);
  });
});
