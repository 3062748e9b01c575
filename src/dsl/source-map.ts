import type { Scalar } from 'yaml';

/**
 * Maps each character of a YAML string scalar's value to its offset in the file, so errors
 * inside a `where:` expression point at the file, whatever the scalar style (plain, quoted,
 * block `|` or folded `>`). Returns one offset per value character plus one for the end.
 */
export function scalarValueOffsets(node: Scalar, value: string): number[] {
  const token = node.srcToken as { type?: string; offset: number; source?: string; props?: { offset: number; source: string }[] } | undefined;
  const start = node.range?.[0] ?? 0;
  if (!token || typeof token.source !== 'string') return value.split('').map(() => start).concat(start);
  let sourceStart = token.offset;
  if (token.type === 'block-scalar' && token.props?.length) {
    const last = token.props[token.props.length - 1];
    sourceStart = last.offset + last.source.length;
  }
  return alignValue(value, token.source, sourceStart, token.type === 'double-quoted-scalar');
}

const SKIPPABLE = new Set([' ', '\t', '\n', '\r', '"', "'"]);

// The value is (almost) a subsequence of its source: folding, indentation, quotes and escapes are
// the only differences, so a greedy walk that skips those finds every character's place.
function alignValue(value: string, source: string, base: number, doubleQuoted: boolean): number[] {
  const offsets: number[] = [];
  let p = 0;
  for (const c of value) {
    let q = p;
    while (q < source.length && source[q] !== c && (SKIPPABLE.has(source[q]) || (doubleQuoted && source[q] === '\\' && source[q + 1] === '\n'))) q++;
    if (doubleQuoted && source[q] === '\\') {
      offsets.push(base + q);
      p = q + escapeLength(source, q);
    } else if (q < source.length && source[q] === c) {
      offsets.push(base + q);
      p = q + 1;
    } else {
      offsets.push(base + Math.min(p, source.length));
    }
    // Astral characters are two UTF-16 units in the value string.
    if (c.length === 2) offsets.push(offsets[offsets.length - 1]);
  }
  offsets.push(base + Math.min(p, source.length));
  return offsets;
}

function escapeLength(source: string, at: number): number {
  const kind = source[at + 1];
  if (kind === 'x') return 4;
  if (kind === 'u') return 6;
  if (kind === 'U') return 10;
  return 2;
}
