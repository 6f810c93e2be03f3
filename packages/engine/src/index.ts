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
