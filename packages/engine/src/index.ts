export {
  buildClusterState,
  machinesMatchingId,
  type AgentState,
  type ClusterSnapshot,
  type ClusterState,
  type ClusterUnit,
  type StrayTarget,
} from './cluster-state.js';
export { computePlan, type Plan, type PlanAction, type PlanActionKind } from './plan.js';
export type { MachineReason, UnschedulableUnit } from './unschedulable.js';
export {
  REASONS,
  MACHINE_REASONS,
  UNSCHEDULABLE,
  SUMMARY_MACHINE_LIMIT,
  formatMetadataRequirement,
} from './reasons.js';
export { syncChanges, SYNC_REASONS, type SyncInput, type LoggedChange, type StoredUnitView } from './schedule-changes.js';
export { markStages } from './apply-stages.js';
export { startEngine, type Engine, type EngineOptions, type LeadershipView } from './engine.js';
export { observeMachines, initialMassLossState, MIN_LOSSES_TO_PAUSE, type MassLossSettings, type MassLossState, type MassLossObservation } from './mass-loss.js';
