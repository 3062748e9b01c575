/**
 * The bytes a JSON string token with the value `text` holds between its quotes when written
 * without escapes: its UTF-8. Undefined when a token without escapes could hold the value in
 * other bytes, or never hold it:
 * - `"`, `\` and control characters need escapes in JSON;
 * - U+FFFD is what the UTF-8 decode makes of ill-formed bytes, so it may stand for other bytes;
 * - a lone surrogate has no UTF-8 of its own (Buffer.from would write U+FFFD's).
 */
export function valueBytes(text: string): Buffer | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0xfffd) return undefined;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return undefined;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return undefined;
    }
  }
  return Buffer.from(text, 'utf8');
}
