import { z } from 'zod';
import { FleetError } from './errors.js';
import { isKeyComponent } from './keys.js';
import { TARGET_STATES } from './model.js';
import type { MachineInfo, UnitRecord, UnitState } from './model.js';

/**
 * JSON records stored in etcd, validated with zod. Decoders return values, never throw: a
 * foreign or corrupt record is the registry's to log and skip. Encoders pass the value through
 * the same schema, so unknown fields are dropped and the field order is the schema's — the same
 * value always encodes to the same text (writers compare text to skip no-op writes).
 */

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

const keyComponent = z.string().refine(isKeyComponent, 'must be non-empty and contain no "/"');
const sha1Hex = z.string().regex(/^[0-9a-f]{40}$/, 'must be 40 lowercase hex characters');
const count = z.number().int().nonnegative();

export const unitRecordSchema = z.object({
  name: keyComponent,
  hash: sha1Hex,
  contents: z.string(),
  targetState: z.enum(TARGET_STATES),
});

/**
 * `units/<name>`: the unit record plus whether it is Global, so the registry keeps the
 * `global/<name>` copy in step without parsing unit files.
 */
export const storedUnitSchema = unitRecordSchema.extend({ global: z.boolean().default(false) });
export type StoredUnit = UnitRecord & { readonly global: boolean };

/** `schedule/<machineId>/<name>`: a self-contained copy of the unit for its agent. */
export const scheduledUnitSchema = unitRecordSchema;
export type ScheduledUnit = UnitRecord;

/** `machines/<machineId>`: fleet's MachineInfo (`version` is fleetd's) plus Docker facts. */
export const machineRecordSchema = z.object({
  id: keyComponent,
  publicIp: z.string(),
  metadata: z.record(z.string(), z.string()),
  version: z.string(),
  dockerEndpoint: z.string().default(''),
  dockerVersion: z.string().default(''),
  cpus: count.default(0),
  memoryBytes: count.default(0),
  /** ISO-8601 time fleetd started. */
  startedAt: z.string().default(''),
});
export type MachineRecord = MachineInfo & {
  readonly dockerEndpoint: string;
  readonly dockerVersion: string;
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly startedAt: string;
};

/** `states/<name>/<machineId>`: the systemd-style state plus Docker's facts on the container. */
export const unitStateRecordSchema = z.object({
  name: keyComponent,
  machineId: keyComponent,
  hash: sha1Hex,
  loadState: z.string(),
  activeState: z.string(),
  subState: z.string(),
  containerId: z.string().optional(),
  image: z.string().optional(),
  /** ISO-8601 time the container last started. */
  startedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  restartCount: count.optional(),
  /** Docker health status: starting | healthy | unhealthy. */
  health: z.string().optional(),
  /** Last error the agent hit for this unit (create/start failure…). */
  error: z.string().optional(),
});
export type UnitStateRecord = UnitState & {
  readonly containerId?: string | undefined;
  readonly image?: string | undefined;
  readonly startedAt?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly restartCount?: number | undefined;
  readonly health?: string | undefined;
  readonly error?: string | undefined;
};

/** `engine/unschedulable/<name>`: the engine's reason for not placing a unit, per machine. */
export const unschedulableRecordSchema = z.object({
  name: keyComponent,
  summary: z.string(),
  /** One entry per machine considered, sorted by machine id. */
  machines: z.array(z.object({ machineId: keyComponent, reason: z.string() })),
});
export interface UnschedulableRecord {
  readonly name: string;
  readonly summary: string;
  readonly machines: readonly { readonly machineId: string; readonly reason: string }[];
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map(({ path, message }) => `${path.length === 0 ? '(record)' : path.join('.')}: ${message}`)
    .join('; ');
}

function decodeWith<T>(schema: z.ZodType<T>, text: string): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `invalid JSON: ${detail}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data };
}

export const decodeStoredUnit = (text: string): Decoded<StoredUnit> =>
  decodeWith(storedUnitSchema, text);
export const decodeScheduledUnit = (text: string): Decoded<ScheduledUnit> =>
  decodeWith(scheduledUnitSchema, text);
export const decodeMachineRecord = (text: string): Decoded<MachineRecord> =>
  decodeWith(machineRecordSchema, text);
export const decodeUnitStateRecord = (text: string): Decoded<UnitStateRecord> =>
  decodeWith(unitStateRecordSchema, text);
export const decodeUnschedulableRecord = (text: string): Decoded<UnschedulableRecord> =>
  decodeWith(unschedulableRecordSchema, text);

/** A value handed to an encoder does not fit its record schema (a bug in the writer). */
export class RecordInvalidError extends FleetError {
  constructor(what: string, problems: string) {
    super('RECORD_INVALID', `invalid ${what} record: ${problems}`);
  }
}

function encodeWith<T>(schema: z.ZodType<T>, what: string, value: T): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RecordInvalidError(what, describeIssues(parsed.error));
  return JSON.stringify(parsed.data);
}

export const encodeStoredUnit = (value: StoredUnit): string =>
  encodeWith(storedUnitSchema, 'unit', value);
export const encodeScheduledUnit = (value: ScheduledUnit): string =>
  encodeWith(scheduledUnitSchema, 'scheduled unit', value);
export const encodeMachineRecord = (value: MachineRecord): string =>
  encodeWith(machineRecordSchema, 'machine', value);
export const encodeUnitStateRecord = (value: UnitStateRecord): string =>
  encodeWith(unitStateRecordSchema, 'unit state', value);
export const encodeUnschedulableRecord = (value: UnschedulableRecord): string =>
  encodeWith(unschedulableRecordSchema, 'unschedulable', value);
