/**
 * String values to look for in JSON text, as the UTF-8 bytes a string token without escapes holds
 * between its quotes, grouped by length so most tokens are ruled out by their length alone.
 */
export class ValueTable {
  private readonly byLength: (Uint8Array[] | undefined)[] = [];

  constructor(values: Iterable<Uint8Array>) {
    for (const v of values) {
      const list = (this.byLength[v.length] ??= []);
      if (!list.some((w) => Buffer.compare(w, v) === 0)) list.push(v);
    }
  }

  /** True when `b[start, end)` is one of the values, byte for byte. */
  has(b: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    const list = length < this.byLength.length ? this.byLength[length] : undefined;
    if (list === undefined) return false;
    for (let k = 0; k < list.length; k++) {
      const v = list[k]!;
      let i = 0;
      while (i < length && b[start + i] === v[i]) i++;
      if (i === length) return true;
    }
    return false;
  }
}
