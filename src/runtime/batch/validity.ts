/** A growable Arrow validity bitmap: bit i set means row i holds a value, clear means null. */
export class Validity {
  private bits = new Uint8Array(64);
  nullCount = 0;

  /** Marks row `index` as holding a value. */
  setValid(index: number): void {
    const byte = index >> 3;
    if (byte >= this.bits.length) this.grow(byte);
    this.bits[byte]! |= 1 << (index & 7);
  }

  /** Marks row `index` as null (bits start cleared, so only the count changes). */
  setNull(index: number): void {
    const byte = index >> 3;
    if (byte >= this.bits.length) this.grow(byte);
    this.nullCount++;
  }

  /** Forgets row `index`, the last one appended (undoes a half-appended row). */
  forget(index: number): void {
    if (this.isNull(index)) this.nullCount--;
    else this.bits[index >> 3]! &= ~(1 << (index & 7));
  }

  /** Empties the bitmap, keeping its memory. */
  clear(): void {
    this.bits.fill(0);
    this.nullCount = 0;
  }

  /** True when row `index` is null. */
  isNull(index: number): boolean {
    return (this.bits[index >> 3]! & (1 << (index & 7))) === 0;
  }

  /** The bitmap for `length` rows, or undefined when no row is null (Arrow then omits it). */
  bitmap(length: number): Uint8Array | undefined {
    return this.nullCount === 0 ? undefined : this.bits.subarray(0, (length + 7) >> 3);
  }

  private grow(byte: number): void {
    const next = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
    next.set(this.bits);
    this.bits = next;
  }
}
