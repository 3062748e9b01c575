// The rules a catalog parameter can carry, and checking one value against one rule (pure).

/** The longest value any parameter may carry; longer values are refused as `max_length`. */
export const MAX_VALUE_LENGTH = 256;

/** A parameter rule as the catalog declares it. */
export type ParamRule =
  | { kind: 'text' }
  | { kind: 'non_negative_integer' }
  | { kind: 'non_negative_number' }
  | { kind: 'identifier' }
  | { kind: 'one_of'; values: string[] };

/** The rule names a catalog may write as a plain string. */
export const NAMED_RULES = ['text', 'non_negative_integer', 'non_negative_number', 'identifier'] as const;

/** Either the value to store, or the name of the rule it broke and why. */
export type RuleResult = { ok: true; value: string } | { ok: false; rule: string; why: string };

const INTEGER = /^[0-9]+$/;
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
// Identifiers end up in event types and table names, so they stay lower-case ASCII.
const IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;

/** Checks `value` against `rule`; returns the value to store (normalised for one_of). */
export function applyRule(rule: ParamRule, value: string): RuleResult {
  if (value.length === 0) return { ok: false, rule: 'non_empty', why: 'must not be empty' };
  if (value.length > MAX_VALUE_LENGTH) {
    return { ok: false, rule: 'max_length', why: `must be at most ${MAX_VALUE_LENGTH} characters` };
  }
  switch (rule.kind) {
    case 'text':
      return { ok: true, value };
    case 'non_negative_integer':
      return INTEGER.test(value)
        ? { ok: true, value }
        : { ok: false, rule: rule.kind, why: `must be a non-negative integer, got '${value}'` };
    case 'non_negative_number':
      return DECIMAL.test(value)
        ? { ok: true, value }
        : { ok: false, rule: rule.kind, why: `must be a non-negative number, got '${value}'` };
    case 'identifier':
      return IDENTIFIER.test(value)
        ? { ok: true, value }
        : { ok: false, rule: rule.kind, why: `must be lower-case letters, digits and _ starting with a letter (at most 64), got '${value}'` };
    case 'one_of': {
      const lower = value.toLowerCase();
      const match = rule.values.find((v) => v.toLowerCase() === lower);
      return match !== undefined
        ? { ok: true, value: match }
        : { ok: false, rule: rule.kind, why: `must be one of ${rule.values.join(' | ')}, got '${value}'` };
    }
  }
}
