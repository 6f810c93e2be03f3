import { CONTAINER_LABELS } from '@fleet/core';
import type { ChaosCluster } from './chaos-cluster.js';
import { conflictOverlaps, doubleRuns, type Observation } from './chaos-invariants.js';
import type { UnitCatalogue } from './chaos-units.js';
import { type ObservedOverlaps, replayOverlaps } from './docker-hangs.js';
import type { OverlapTracker } from './overlap-windows.js';

/**
 * Polls every live machine's Docker daemon (fleet containers, by label) every ~200 ms, feeding the
 * double-run and conflict trackers, and the registry's unit records every ~500 ms, noting any that
 * vanish. Runs until stopped; a failed poll of one daemon only leaves that machine unobserved.
 * Overlaps are judged against the exemptions only at the end (`overlaps()`): a dockerd hang is
 * recorded a probe timeout after its start, and the observations in between are exempt too.
 */

const POLL_TIMEOUT_MS = 5_000;
/** How often the unit records are checked. */
const REGISTRY_INTERVAL_MS = 500;

/** Rejects if `work` has not settled within `ms` (etcd3 and dockerode calls have no deadline of their own here). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface LostUnit {
  readonly unit: string;
  readonly at: number;
}

export class ChaosObserver {
  /** Every observation's double runs and Conflicts overlaps (machines involved), judged by overlaps(). */
  private readonly doubleRunHistory: ObservedOverlaps[] = [];
  private readonly conflictHistory: ObservedOverlaps[] = [];
  readonly lostUnits: LostUnit[] = [];
  observations = 0;
  dockerPollFailures = 0;
  registryReadFailures = 0;
  /** The longest gap between two observations (the observer's own resolution). */
  longestPollGapMs = 0;
  /** Observations that took over a second, with what took how long: where a long gap came from. */
  readonly slowObservations: string[] = [];
  private latestObservation: Observation | undefined;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly chaos: ChaosCluster,
    private readonly catalogue: UnitCatalogue,
    private readonly intervalMs: number,
  ) {}

  get latest(): Observation | undefined {
    return this.latestObservation;
  }

  start(): void {
    this.running = true;
    const every = async (ms: number, work: (at: number) => Promise<void>, onGap?: (gap: number) => void): Promise<void> => {
      let previous: number | undefined;
      while (this.running) {
        const at = Date.now();
        if (previous !== undefined) onGap?.(at - previous);
        previous = at;
        await work(at);
        const wait = ms - (Date.now() - at);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    // Separate loops: a registry read stalled by an etcd member's death must not stall Docker polls.
    this.loop = Promise.all([
      every(this.intervalMs, (at) => this.observeOnce(at), (gap) => (this.longestPollGapMs = Math.max(this.longestPollGapMs, gap))),
      every(REGISTRY_INTERVAL_MS, (at) => this.checkUnitRecords(at)),
    ]).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** The double-run and Conflicts windows, each observation excused if a machine involved was impaired then (see ChaosCluster.impairedAt). */
  overlaps(): { doubleRuns: OverlapTracker; conflicts: OverlapTracker } {
    const excusedAt = (machine: string, at: number): boolean => this.chaos.impairedAt(machine, at);
    return { doubleRuns: replayOverlaps(this.doubleRunHistory, excusedAt), conflicts: replayOverlaps(this.conflictHistory, excusedAt) };
  }

  /** Resolves with the first observation that started at or after `since`. */
  async observationAfter(since: number): Promise<Observation> {
    for (;;) {
      const o = this.latestObservation;
      if (o !== undefined && o.at >= since) return o;
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs / 2));
    }
  }

  /** Every unit record the test created must stay in `units/` (the test destroys none). */
  private async checkUnitRecords(at: number): Promise<void> {
    try {
      const units = new Set((await withTimeout(this.chaos.cluster.registry.listUnits(), POLL_TIMEOUT_MS, 'listUnits')).map((e) => e.unit.name));
      for (const name of Object.keys(this.catalogue.files)) {
        if (!units.has(name) && !this.lostUnits.some((l) => l.unit === name)) this.lostUnits.push({ unit: name, at });
      }
    } catch {
      this.registryReadFailures++;
    }
  }

  private async observeOnce(at: number): Promise<void> {
    const took: string[] = [];
    const perMachine = await Promise.all(
      this.chaos.machines.map(async (m) => {
        if (m.hostDown) return undefined;
        const docker = m.docker;
        const t0 = Date.now();
        try {
          const list = await withTimeout(
            docker.docker.listContainers({ filters: { label: [CONTAINER_LABELS.unit] } }),
            POLL_TIMEOUT_MS,
            `listContainers on ${m.name}`,
          );
          return [m.name, new Set(list.map((c) => c.Labels[CONTAINER_LABELS.unit] ?? '?'))] as const;
        } catch {
          // A host being killed or restarted at this moment, or an overloaded daemon.
          if (!m.hostDown && docker === m.docker) this.dockerPollFailures++;
          return undefined;
        } finally {
          took.push(`${m.name} ${Date.now() - t0} ms`);
        }
      }),
    );
    if (Date.now() - at > 1_000) this.slowObservations.push(`${new Date(at).toISOString()}: ${Date.now() - at} ms (${took.join(', ')})`);

    const observation: Observation = { at, running: new Map(perMachine.flatMap((e) => (e === undefined ? [] : [e]))) };
    this.observations++;
    this.doubleRunHistory.push({ at, overlaps: doubleRuns(observation, this.catalogue) });
    this.conflictHistory.push({ at, overlaps: new Map([...conflictOverlaps(observation, this.catalogue)].map(([key, machine]) => [key, [machine]])) });
    this.latestObservation = observation;
  }
}
