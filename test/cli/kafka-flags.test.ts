import { describe, expect, it } from 'vitest';
import { takeUpFlags } from '../../src/cli/kafka.js';

describe("gamepipe kafka's own flags", () => {
  it('takes --brokers and --kafka-version in both spellings and leaves the rest', () => {
    expect(takeUpFlags(['up', '--brokers', '3', '--port', '9300', '--kafka-version=3.9.1'])).toEqual({
      rest: ['up', '--port', '9300'],
      up: { brokers: 3, kafkaVersion: '3.9.1' },
    });
    expect(takeUpFlags(['down'])).toEqual({ rest: ['down'], up: {} });
  });

  it('refuses a flag without a value, or a broker count out of range, in one line', () => {
    expect(() => takeUpFlags(['up', '--brokers'])).toThrow(/^--brokers needs a value; usage: /);
    expect(() => takeUpFlags(['up', '--brokers', '0'])).toThrow("--brokers must be a whole number from 1 to 9, got '0'");
  });
});
