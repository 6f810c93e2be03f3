/**
 * Orders strings as Go's `<` / sort.Strings do on UTF-8 bytes, i.e. by code point. JavaScript's
 * `<` compares UTF-16 units, which disagrees for characters above U+FFFF versus U+E000–U+FFFF.
 * Sorting 10,000 units calls this ~130,000 times, so it walks UTF-16 units and looks at code
 * points only where the strings first differ.
 */
export function compareCodePoints(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const left = a.charCodeAt(i);
    const right = b.charCodeAt(i);
    if (left === right) continue;
    // Right after a shared high surrogate: a low surrogate completes a pair (a code point from
    // U+10000 up), anything else leaves the high surrogate alone (a smaller one).
    if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) {
      const leftPair = isLowSurrogate(left);
      if (leftPair !== isLowSurrogate(right)) return leftPair ? 1 : -1;
      if (leftPair) return left - right;
    }
    return (a.codePointAt(i) ?? left) - (b.codePointAt(i) ?? right);
  }
  return a.length - b.length;
}

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;
