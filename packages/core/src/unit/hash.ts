import { createHash } from 'node:crypto';
import { serializeUnitFile } from './serialize.js';
import type { UnitFile } from './unit-file.js';

/** Length of fleet's short hash (`%.7s` of the hex form). */
export const SHORT_HASH_LENGTH = 7;

/** A unit's identity: SHA-1 (40 lowercase hex) of its canonical text. */
export function unitHash(unit: UnitFile): string {
  return createHash('sha1').update(serializeUnitFile(unit), 'utf8').digest('hex');
}

/** The 7-character form fleetctl shows without --full. */
export function shortHash(hash: string): string {
  return hash.slice(0, SHORT_HASH_LENGTH);
}
