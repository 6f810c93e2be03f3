import { shortHash } from '@fleet/core';

/** A unit hash as listed: 7 characters, or all 40 with `--full`; `-` when there is none. */
export function formatHash(hash: string, full: boolean): string {
  if (hash === '') return '-';
  return full ? hash : shortHash(hash);
}
