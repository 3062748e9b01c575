import { describe, expect, it } from 'vitest';
import { combinedJobState } from '../../src/runtime/job-state.js';

describe("a job's state from its runners' (one per topic)", () => {
  it('is the one runner\'s state for a job of one topic', () => {
    for (const state of ['starting', 'running', 'stopped', 'failing', 'done'] as const) {
      expect(combinedJobState([{ state, ...(state === 'failing' && { error: 'boom' }) }])).toEqual({ state, ...(state === 'failing' && { error: 'boom' }) });
    }
  });

  it('is failing with the failing runner\'s error, whatever the others say', () => {
    expect(combinedJobState([{ state: 'running' }, { state: 'failing', error: 'topic b: gone' }, { state: 'starting' }])).toEqual({ state: 'failing', error: 'topic b: gone' });
  });

  it('is starting while a runner starts, though another already runs', () => {
    expect(combinedJobState([{ state: 'running' }, { state: 'starting' }]).state).toBe('starting');
  });

  it('is running while any runner runs, and done only when every runner is', () => {
    expect(combinedJobState([{ state: 'done' }, { state: 'running' }]).state).toBe('running');
    expect(combinedJobState([{ state: 'done' }, { state: 'done' }]).state).toBe('done');
    expect(combinedJobState([{ state: 'done' }, { state: 'stopped' }]).state).toBe('stopped');
    expect(combinedJobState([]).state).toBe('stopped');
  });
});
