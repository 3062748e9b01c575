import { describe, expect, it } from 'vitest';
import { errorsOf, jobText, positionOf } from './job-text.js';

// Each filter error is reported at its place in the YAML file, whatever the scalar style.
describe('errors inside where:', () => {
  it('a syntax error in an inline where', () => {
    const text = jobText('where: size = "x"\n');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, '= "x"'), message: "in where: unexpected character '=' in the filter (use '==' to compare)" }]);
  });

  it('an unexpected end of the filter points just after its last character', () => {
    const text = jobText('where: event_type == "a" and\n  quantity >\n');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, '>\n', 0, 1), message: "in where: expected a value, a name or '(' but found the end of the filter" }]);
  });

  it('an unclosed parenthesis', () => {
    const text = jobText('where: (size == "a" or size == "b"\n');
    expect(errorsOf(text)[0]).toMatchObject({ ...positionOf(text, '"b"', 0, 3), message: "in where: expected ')' but found the end of the filter" });
  });

  it('a comparison that can never be true because of types, in a folded block (>)', () => {
    const text = jobText('where: >\n  event_type == "a"\n    and quantity == "x"\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '== "x"'), message: 'in where: quantity == "x" can never be true: quantity is int, "x" is a string' },
    ]);
  });

  it('a wrong number of arguments, in a literal block (|)', () => {
    const text = jobText('where: |\n  event_type == "a" and\n  lower(size, size) == "b"\n');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'lower'), message: 'in where: lower() takes 1 argument, got 2' }]);
  });

  it('an unknown $ metadata name in a double-quoted where with escapes', () => {
    const text = jobText('where: "event_type == \\"a\\" and $offst > 1"\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '$offst'), message: "in where: unknown metadata name '$offst' (did you mean '$offset'?); known: $timestamp $topic $partition $offset $key" },
    ]);
  });

  it("an unknown function in a single-quoted where with ''", () => {
    const text = jobText("where: 'size == ''a'' or lowr(size) == ''b'''\n");
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, 'lowr'), message: "in where: unknown function 'lowr' (did you mean 'lower'?)" }]);
  });

  it('several type errors in one filter are all reported', () => {
    const text = jobText('where: quantity == "x" or size > 3 or size == null or quantity matches "a"\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '== "x"'), message: 'in where: quantity == "x" can never be true: quantity is int, "x" is a string' },
      { ...positionOf(text, '> 3'), message: 'in where: size > 3 can never be true: size is string, 3 is a number' },
      { ...positionOf(text, '== null'), message: "in where: a comparison with null is never true; write 'is null'" },
      { ...positionOf(text, 'quantity matches'), message: 'in where: matches needs a string, but quantity is int' },
    ]);
  });

  it('in-lists, arithmetic, bad regexes and non-conditions', () => {
    const text = jobText('where: quantity in (1, "two") and size + 1 > 2 and size matches "(" and quantity\n');
    expect(errorsOf(text)).toEqual([
      { ...positionOf(text, '"two"'), message: 'in where: quantity in (... "two" ...) can never be true: quantity is int, "two" is a string' },
      { ...positionOf(text, '+ 1'), message: "in where: '+' needs numbers, but size is string" },
      { ...positionOf(text, '"("'), message: 'in where: invalid regular expression: /(/: Unterminated group' },
      { ...positionOf(text, 'quantity\n'), message: 'in where: expected a condition (true or false), but quantity is int' },
    ]);
  });

  it('a where that is not a string', () => {
    const text = jobText('where:\n  - a\n');
    expect(errorsOf(text)).toEqual([{ ...positionOf(text, '- a'), message: 'where must be a string, got a list' }]);
  });
});
