import { FleetError } from '@fleet/core';
import { isBrokenCircuitError } from 'cockatiel';
import { ClientClosedError, GRPCDeadlineExceededError, isRecoverableError } from 'etcd3';

/**
 * The registry's typed errors. Callers switch on `code`; the etcd3/gRPC error stays in `cause`,
 * so nothing above this package needs etcd3's error classes.
 */

/** etcd was not reached in time (deadline, unavailable member, open circuit, closed client). */
export class EtcdUnavailableError extends FleetError {
  constructor(message: string, cause?: unknown) {
    super('ETCD_UNAVAILABLE', message, { cause });
  }
}

/** etcd answered with an error retrying will not fix (permission, bad request, too large…). */
export class EtcdRequestError extends FleetError {
  constructor(message: string, cause?: unknown) {
    super('ETCD_ERROR', message, { cause });
  }
}

/** A guarded write found the record changed since it was read. Re-read and retry. */
export class CasConflictError extends FleetError {
  constructor(message: string) {
    super('CAS_CONFLICT', message);
  }
}

/** A create found the unit already there with other contents. */
export class UnitExistsError extends FleetError {
  readonly existingHash: string;
  constructor(name: string, existingHash: string) {
    super('UNIT_EXISTS', `unit ${name} already exists`);
    this.existingHash = existingHash;
  }
}

export class UnitNotFoundError extends FleetError {
  constructor(name: string) {
    super('UNIT_NOT_FOUND', `unit ${name} does not exist`);
  }
}

/** Another lease holds this machine id: a duplicate machine-id, or a restart within TTL. */
export class MachineExistsError extends FleetError {
  readonly holderLeaseId: string;
  constructor(machineId: string, holderLeaseId: string) {
    super('MACHINE_EXISTS', `machine ${machineId} is already registered by lease ${holderLeaseId}`);
    this.holderLeaseId = holderLeaseId;
  }
}

/** This process is not (or no longer) the engine leader, so it may not write engine keys. */
export class NotLeaderError extends FleetError {
  constructor(message = 'not the engine leader') {
    super('NOT_LEADER', message);
  }
}

/** The lease could not be granted, adopted or kept. */
export class LeaseError extends FleetError {
  constructor(message: string, cause?: unknown) {
    super('LEASE_ERROR', message, { cause });
  }
}

/** True when the error means "etcd was not reachable", as opposed to "etcd said no". */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof EtcdUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  return (
    isRecoverableError(error) ||
    error instanceof GRPCDeadlineExceededError ||
    // brand checks: cockatiel's classes may come from two copies (ours and etcd3's)
    isBrokenCircuitError(error) ||
    'isTaskCancelledError' in error ||
    error instanceof ClientClosedError
  );
}

/** Translates an etcd3 failure into a FleetError naming the operation; FleetErrors pass through. */
export function toRegistryError(error: unknown, operation: string): FleetError {
  if (error instanceof FleetError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return isUnavailable(error)
    ? new EtcdUnavailableError(`etcd unavailable during ${operation}: ${detail}`, error)
    : new EtcdRequestError(`etcd error during ${operation}: ${detail}`, error);
}
