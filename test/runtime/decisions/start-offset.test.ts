import { describe, expect, it } from 'vitest';
import { startOffset } from '../../../src/runtime/decisions/start-offset.js';

describe('startOffset', () => {
  it('starts at the checkpoint, whatever source.start says', () => {
    expect(startOffset(42, 10, 100, 'earliest')).toEqual({ offset: 42, pastRetention: false });
    expect(startOffset(42, 10, 100, 'latest')).toEqual({ offset: 42, pastRetention: false });
  });

  it('starts at the earliest offset left when retention deleted records past the checkpoint', () => {
    expect(startOffset(5, 10, 100, 'latest')).toEqual({ offset: 10, pastRetention: true });
  });

  it('without a checkpoint, starts where source.start says', () => {
    expect(startOffset(undefined, 10, 100, 'earliest')).toEqual({ offset: 10, pastRetention: false });
    expect(startOffset(undefined, 10, 100, 'latest')).toEqual({ offset: 100, pastRetention: false });
  });
});
