import type { DecimalType } from './job-spec.js';

// Decimals are read from their decimal text, digit by digit, never through a double: "12.30"
// into decimal(10,2) is exactly 1230 hundredths. A value that does not fit is refused, never
// rounded, so a stored amount is always the amount sent.

/**
 * The most significant digits a JSON number keeps exactly: any decimal of up to 15 digits reads
 * into a double and prints back (String(n)) as the same digits, which is not so for 16 or 17.
 */
const EXACT_NUMBER_DIGITS = 15;

const NUMBER_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled value of `v` in `type` (12.30 in decimal(10,2) is 1230n), null for a missing
 * value, or why it cannot be read: a sentence such as "more than 2 digits after the point".
 * Text is read exactly; a number through its shortest text, when that has at most 15 significant
 * digits (JSON.parse keeps no more of what was sent).
 */
export function readDecimal(v: unknown, type: DecimalType): bigint | null | string {
  if (v === null || v === undefined) return null;
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'not a finite number';
    text = String(v);
  } else if (typeof v === 'bigint') text = v.toString();
  else return 'not a number or decimal text';
  const m = NUMBER_TEXT.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return 'not a decimal number';
  const fraction = m[3] ?? '';
  let digits = (m[2] + fraction).replace(/^0+/, '');
  // value = digits x 10^exponent
  let exponent = (m[4] === undefined ? 0 : Number(m[4])) - fraction.length;
  if (digits === '') return 0n;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  if (typeof v === 'number' && digits.length > EXACT_NUMBER_DIGITS) {
    return `a JSON number keeps ${EXACT_NUMBER_DIGITS} significant digits exactly, this one has ${digits.length}; send it as text ("12.30"), or round() it in an expr`;
  }
  const shift = exponent + type.scale;
  if (shift < 0) return `more than ${type.scale} digit${type.scale === 1 ? '' : 's'} after the point`;
  if (digits.length + shift > type.precision) {
    const whole = type.precision - type.scale;
    return `more than ${whole} digit${whole === 1 ? '' : 's'} before the point`;
  }
  const unscaled = BigInt(digits + '0'.repeat(shift));
  return m[1] === '-' ? -unscaled : unscaled;
}

/** The decimal text of an unscaled value: 1230n at scale 2 is "12.30". */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}
