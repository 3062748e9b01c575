/**
 * String values to look for in JSON text, as the UTF-8 bytes a string token without escapes holds
 * between its quotes, grouped by length so most tokens are ruled out by their length alone.
 */
export class ValueTable {
  private readonly byLength: (Uint8Array[] | undefined)[] = [];
  private readonly all: Uint8Array[] = [];
  /** Where the last value `has` found started; scanJson sets it to -1 as it starts. */
  lastFoundAt = -1;

  constructor(values: Iterable<Uint8Array>) {
    for (const v of values) {
      const list = (this.byLength[v.length] ??= []);
      if (!list.some((w) => Buffer.compare(w, v) === 0)) list.push(v), this.all.push(v);
    }
  }

  /** True when `b[start, end)` is one of the values, byte for byte. */
  has(b: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    const list = length < this.byLength.length ? this.byLength[length] : undefined;
    if (list === undefined) return false;
    for (let k = 0; k < list.length; k++) {
      if (same(b, start, list[k]!)) {
        this.lastFoundAt = start;
        return true;
      }
    }
    return false;
  }

  /**
   * True when `b` has one of the values between two quotes starting at `start`. Only a likely
   * sign of a string value there (the quotes may belong to a key, or to two tokens), so it may
   * only ever be used to decide not to skip.
   */
  quotedAt(b: Uint8Array, start: number): boolean {
    if (start < 1 || start >= b.length || b[start - 1] !== 0x22) return false;
    const { all } = this;
    for (let k = 0; k < all.length; k++) {
      const v = all[k]!;
      const end = start + v.length;
      if (end < b.length && b[end] === 0x22 && same(b, start, v)) return true;
    }
    return false;
  }
}

function same(b: Uint8Array, start: number, v: Uint8Array): boolean {
  let i = 0;
  while (i < v.length && b[start + i] === v[i]) i++;
  return i === v.length;
}
