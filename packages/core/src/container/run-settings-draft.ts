import type { ContainerRunSettings, PortMapping, PULL_POLICIES } from './container-spec.js';
import { healthCheckOf, type HealthTiming } from './container-values.js';

/** ContainerRunSettings being gathered from a unit, option by option, by either unit form. */
export interface RunSettingsDraft {
  image?: string;
  cmd?: string[];
  entrypoint?: string[];
  env: string[];
  ports: PortMapping[];
  volumes: string[];
  /** A Map keeps first-declaration order; a repeated key takes the later value. */
  labels: Map<string, string>;
  network?: string;
  user?: string;
  workingDir?: string;
  hostname?: string;
  name?: string;
  memoryBytes?: number;
  nanoCpus?: number;
  healthCmd?: string;
  healthTiming: HealthTiming;
  pull: (typeof PULL_POLICIES)[number];
}

export function newRunSettingsDraft(): RunSettingsDraft {
  return { env: [], ports: [], volumes: [], labels: new Map(), healthTiming: {}, pull: 'missing' };
}

/** The settings, with unset optional fields left out rather than set to undefined. */
export function finishRunSettings(draft: RunSettingsDraft, image: string): ContainerRunSettings {
  const settings: ContainerRunSettings = {
    image,
    env: draft.env,
    ports: draft.ports,
    volumes: draft.volumes,
    labels: Object.fromEntries(draft.labels),
    pull: draft.pull,
  };
  if (draft.cmd !== undefined) settings.cmd = draft.cmd;
  if (draft.entrypoint !== undefined) settings.entrypoint = draft.entrypoint;
  if (draft.network !== undefined) settings.network = draft.network;
  if (draft.user !== undefined) settings.user = draft.user;
  if (draft.workingDir !== undefined) settings.workingDir = draft.workingDir;
  if (draft.hostname !== undefined) settings.hostname = draft.hostname;
  if (draft.name !== undefined) settings.name = draft.name;
  if (draft.memoryBytes !== undefined) settings.memoryBytes = draft.memoryBytes;
  if (draft.nanoCpus !== undefined) settings.nanoCpus = draft.nanoCpus;
  const health = healthCheckOf(draft.healthCmd, draft.healthTiming);
  if (health !== undefined) settings.health = health;
  return settings;
}

const HEALTH_TIMING_FIELDS = ['intervalMs', 'timeoutMs', 'retries', 'startPeriodMs'] as const;

/** Health timing fields that were set although there is no command (or `none`) for them to time. */
export function healthTimingWithoutCommand(draft: RunSettingsDraft): (keyof HealthTiming)[] {
  if (draft.healthCmd !== undefined && draft.healthCmd !== 'none') return [];
  return HEALTH_TIMING_FIELDS.filter((field) => draft.healthTiming[field] !== undefined);
}
