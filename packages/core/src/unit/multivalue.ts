/**
 * fleet's split of an `[X-Fleet]` value into several values. Only a value that both starts and
 * ends with `"` is split: quotes toggle "inside" and are dropped, and a space outside quotes ends
 * a value. There are no escapes (`"a\"b"` gives `a\b`). Anything else is one value, unchanged.
 */
export function splitMultivalue(raw: string): string[] {
  if (!raw.startsWith('"') || !raw.endsWith('"')) return [raw];
  const values: string[] = [];
  let current = '';
  let inside = false;
  for (const ch of raw) {
    if (ch === '"') {
      inside = !inside;
    } else if (ch === ' ' && !inside) {
      values.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  values.push(current);
  return values;
}
