import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { readColumnType } from './column-type-node.js';
import { describe } from './describe-node.js';
import { didYouMean } from './did-you-mean.js';
import type { KeyShape } from './key-table.js';
import { parseByteSize } from './units.js';

/** A structural problem at a character offset of the file. */
export interface ShapeProblem {
  offset: number;
  message: string;
}

/**
 * Checks a YAML node against its description in the key table: unknown keys (with a
 * did-you-mean), missing keys and wrong types. Reports every problem, not just the first.
 */
export function checkShape(node: Node | null | undefined, shape: KeyShape, where: string, at: number, out: ShapeProblem[]): void {
  const offset = node?.range?.[0] ?? at;
  const problem = (message: string): void => void out.push({ offset, message });
  const value = isScalar(node) ? node.value : undefined;
  switch (shape.kind) {
    case 'string': {
      if (typeof value !== 'string') return problem(`${where} must be a string, got ${describe(node)}`);
      if (shape.minLength && value.length < shape.minLength) return problem(`${where} must not be empty`);
      if (shape.pattern && !new RegExp(shape.pattern).test(value)) {
        return problem(`${where} '${value}' is not a valid name (${shape.patternHint ?? shape.pattern})`);
      }
      return;
    }
    case 'enum': {
      if (typeof value === 'string' && shape.values.includes(value)) return;
      const got = typeof value === 'string' ? `'${value}'${didYouMean(value, shape.values)}` : describe(node);
      return problem(`${where} must be ${shape.values.length === 1 ? `'${shape.values[0]}'` : `one of ${shape.values.join(', ')}`}, got ${got}`);
    }
    case 'integer': {
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= shape.minimum) return;
      return problem(`${where} must be a whole number of at least ${shape.minimum}, got ${describe(node)}`);
    }
    case 'bytes': {
      if (parseByteSize(value) !== undefined) return;
      return problem(`${where} must be a size in bytes like 1048576 or "64 MiB", got ${describe(node)}`);
    }
    case 'any-object': {
      if (!isMap(node)) return problem(`${where} must be a mapping (key: value), got ${describe(node)}`);
      for (const pair of node.items) checkKeyIsText(pair, where, offset, out);
      return;
    }
    case 'list': {
      if (!isSeq(node)) return problem(`${where} must be a list, got ${describe(node)}`);
      const seen = new Set<unknown>();
      node.items.forEach((item, i) => {
        const itemNode = item as Node;
        checkShape(itemNode, shape.items, `${where}[${i}]`, offset, out);
        const v = isScalar(itemNode) ? itemNode.value : undefined;
        if (shape.unique && v !== undefined && seen.has(v)) out.push({ offset: itemNode.range?.[0] ?? offset, message: `${where} lists '${String(v)}' twice` });
        seen.add(v);
      });
      return;
    }
    case 'object':
      return checkObject(node, shape, where, offset, out);
    case 'column-type':
      readColumnType(node, where, offset, shape.nested, out);
      return;
    case 'one-of': {
      const wanted = shape.options.find((o) => matchesKind(node, o)) ?? shape.options[0];
      return checkShape(node, wanted, where, offset, out);
    }
  }
}

function checkObject(node: Node | null | undefined, shape: Extract<KeyShape, { kind: 'object' }>, where: string, offset: number, out: ShapeProblem[]): void {
  if (!isMap(node)) {
    out.push({ offset, message: `${where} must be a mapping (key: value), got ${describe(node)}` });
    return;
  }
  const present = new Set<string>();
  for (const pair of node.items) {
    const key = checkKeyIsText(pair, where, offset, out);
    if (key === undefined) continue;
    present.add(key);
    const keyOffset = (pair.key as Node).range?.[0] ?? offset;
    const valueOffset = (pair.value as Node | null)?.range?.[0] ?? keyOffset;
    const inner = where === 'the job file' ? key : `${where}.${key}`;
    const known = shape.keys[key];
    if (known) {
      checkShape(pair.value as Node | null, known, inner, valueOffset, out);
    } else if (shape.otherKeys) {
      if (shape.otherKeysPattern && !new RegExp(shape.otherKeysPattern).test(key)) {
        out.push({ offset: keyOffset, message: `'${key}' in ${where} is not a valid name (letters, digits and _ , not starting with a digit)` });
      }
      checkShape(pair.value as Node | null, shape.otherKeys, inner, valueOffset, out);
    } else {
      out.push({ offset: keyOffset, message: `unknown key '${key}' in ${where}${didYouMean(key, Object.keys(shape.keys))}` });
    }
  }
  for (const [key, entry] of Object.entries(shape.keys)) {
    if (entry.required && !present.has(key)) out.push({ offset, message: `missing key '${key}' in ${where}` });
  }
  if (shape.exclusive && shape.exclusive.every((k) => present.has(k))) {
    const [a, b] = shape.exclusive;
    const second = node.items.find((p) => isScalar(p.key) && p.key.value === b);
    out.push({ offset: (second?.key as Node | undefined)?.range?.[0] ?? offset, message: `${where} has both '${a}' and '${b}'; give one of them` });
  }
  if (shape.exactlyOne) {
    const given = shape.exactlyOne.filter((k) => present.has(k));
    const names = shape.exactlyOne.map((k) => `'${k}'`).join(', ');
    if (given.length === 0) out.push({ offset, message: `${where} needs one of ${names}` });
    if (given.length > 1) {
      const second = node.items.find((p) => isScalar(p.key) && p.key.value === given[1]);
      out.push({ offset: (second?.key as Node | undefined)?.range?.[0] ?? offset, message: `${where} has ${given.map((k) => `'${k}'`).join(' and ')}; give one of ${names}` });
    }
  }
  if (shape.minKeys && node.items.length < shape.minKeys) out.push({ offset, message: `${where} must have at least ${shape.minKeys} entry` });
}

function checkKeyIsText(pair: Pair, where: string, offset: number, out: ShapeProblem[]): string | undefined {
  const key = pair.key as Node | null;
  if (isScalar(key) && typeof key.value === 'string') return key.value;
  out.push({ offset: key?.range?.[0] ?? offset, message: `keys in ${where} must be text, got ${describe(key)}` });
  return undefined;
}

function matchesKind(node: Node | null | undefined, shape: KeyShape): boolean {
  if (isMap(node)) return shape.kind === 'object' || shape.kind === 'any-object' || (shape.kind === 'column-type' && shape.nested);
  if (isSeq(node)) return shape.kind === 'list';
  return shape.kind !== 'object' && shape.kind !== 'any-object' && shape.kind !== 'list';
}

