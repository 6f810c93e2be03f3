/**
 * What the container value parsers return: the value, or one problem worded so that a caller
 * can prefix it with where it was found (`[Container] Memory: …`, `… docker run -m: …`).
 */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

export function parsedValue<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function parseFailure<T = never>(error: string): Parsed<T> {
  return { ok: false, error };
}
