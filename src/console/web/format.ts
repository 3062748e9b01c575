/** Bytes in the largest unit that keeps a number of at least 1 (`1.4 MiB`). */
export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}

/** A cell of a result grid. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export const numberText = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));
