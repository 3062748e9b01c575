import { describe, expect, it } from 'vitest';
import { startOffset } from '../../../src/runtime/decisions/start-offset.js';

describe('startOffset', () => {
  it('starts at the checkpoint, whatever source.start says', () => {
    expect(startOffset(42, 10, 100, 'earliest')).toEqual({ offset: 42, cause: 'checkpoint' });
    expect(startOffset(42, 10, 100, 'latest')).toEqual({ offset: 42, cause: 'checkpoint' });
  });

  it('starts at the checkpoint when it is the log start or the log end', () => {
    expect(startOffset(10, 10, 100, 'latest')).toEqual({ offset: 10, cause: 'checkpoint' });
    expect(startOffset(100, 10, 100, 'earliest')).toEqual({ offset: 100, cause: 'checkpoint' });
    // An empty log that kept its offsets (everything deleted up to the end): nothing to read yet.
    expect(startOffset(100, 100, 100, 'earliest')).toEqual({ offset: 100, cause: 'checkpoint' });
  });

  it('starts at the earliest offset left when retention deleted records past the checkpoint', () => {
    expect(startOffset(5, 10, 100, 'latest')).toEqual({ offset: 10, cause: 'retention' });
    expect(startOffset(1000, 1500, 2000, 'earliest')).toEqual({ offset: 1500, cause: 'retention' });
    // Everything deleted up to the end: the checkpoint moves to the end, where reading goes on.
    expect(startOffset(1000, 2000, 2000, 'earliest')).toEqual({ offset: 2000, cause: 'retention' });
  });

  it('reads a log that ends below the checkpoint (a topic created again) from its start, as source.start says', () => {
    expect(startOffset(1000, 0, 200, 'earliest')).toEqual({ offset: 0, cause: 'restarted' });
    expect(startOffset(1000, 0, 200, 'latest')).toEqual({ offset: 200, cause: 'restarted' });
    expect(startOffset(1000, 0, 0, 'earliest')).toEqual({ offset: 0, cause: 'restarted' });
    // Just one past the end is already beyond it.
    expect(startOffset(201, 0, 200, 'earliest')).toEqual({ offset: 0, cause: 'restarted' });
    // Its retention may have moved its start on already.
    expect(startOffset(1000, 50, 200, 'earliest')).toEqual({ offset: 50, cause: 'restarted' });
  });

  it('without a checkpoint, starts where source.start says', () => {
    expect(startOffset(undefined, 10, 100, 'earliest')).toEqual({ offset: 10, cause: 'start' });
    expect(startOffset(undefined, 10, 100, 'latest')).toEqual({ offset: 100, cause: 'start' });
  });
});
