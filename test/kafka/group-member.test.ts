import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError, TimeoutError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { joinRetriable } from '../../src/kafka/group-member.js';

// The errors @platformatic/kafka 1.35 raises for a failed join, as it builds them.
const refused = () => new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }) });
const timedOut = () => new TimeoutError('Request timed out');

describe('joinRetriable', () => {
  it('passes a broker away, a coordinator that moved, and retries of those', () => {
    expect(joinRetriable(refused())).toBe(true);
    expect(joinRetriable(new ProtocolError('NOT_COORDINATOR'))).toBe(true);
    expect(joinRetriable(new MultipleErrors('joinGroup failed 4 times.', [refused(), new ProtocolError('COORDINATOR_LOAD_IN_PROGRESS')]))).toBe(true);
  });

  it('passes a request that timed out, which the library itself never retries (a frozen coordinator)', () => {
    expect(timedOut().canRetry).toBe(false);
    expect(joinRetriable(timedOut())).toBe(true);
    expect(joinRetriable(new MultipleErrors('syncGroup failed 2 times.', [refused(), timedOut()]))).toBe(true);
  });

  it('gives up on a refusal no retry passes', () => {
    expect(joinRetriable(new ProtocolError('GROUP_AUTHORIZATION_FAILED'))).toBe(false);
    expect(joinRetriable(new AuthenticationError('SASL authentication failed.'))).toBe(false);
    expect(joinRetriable(new MultipleErrors('joinGroup failed 2 times.', [timedOut(), new ProtocolError('GROUP_AUTHORIZATION_FAILED')]))).toBe(false);
  });
});
