import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fleetctl, startCluster, unitDir } from '@fleet/testkit';
import { loopbackBase } from '../reliability/support.js';
import { ChaosCluster } from './chaos-cluster.js';
import {
  AGENT_TTL_MS,
  chaosConfig,
  CONVERGENCE_BOUND_MS,
  CONVERGENCE_GIVE_UP_MS,
  DOUBLE_RUN_BOUND_MS,
  POLL_INTERVAL_MS,
  RESTART_CLEANUP_MS,
} from './chaos-config.js';
import { FaultRunner } from './chaos-faults.js';
import { convergenceGaps, type MachineFacts } from './chaos-invariants.js';
import { ChaosObserver, withTimeout } from './chaos-observer.js';
import { windowsDuringHangs } from './docker-hangs.js';
import { DockerProbe } from './docker-probe.js';
import { formatChaosSummary, type RoundOutcome, windowLength } from './chaos-report.js';
import { allUnitNames, chaosUnits } from './chaos-units.js';
import { chaosRounds, FAULT_LABELS } from './fault-schedule.js';
import { type OverlapWindow } from './overlap-windows.js';

/**
 * The chaos suite (docs/reliability.md "Chaos results"): 3 machines, each a real fleetd with its
 * own dockerd and its own loopback address towards a 3-member etcd; 22 units using Conflicts,
 * MachineOf and Global. A seeded schedule of rounds of faults — SIGKILL fleetd, host death,
 * SIGSTOP/SIGCONT, a partition from etcd, SIGKILL an etcd member, SIGKILL the engine leader — each
 * repaired, while an observer checks the invariants every 200 ms: no unit on two machines and no
 * conflicting units on one machine beyond the bound, no unit record lost, no process exiting
 * unasked; after every round, every unit runs as it should within the convergence bound. A dockerd
 * that stops answering the health probe is an environment failure of its host, exempt and
 * repaired like a host death, and reported apart (docker-probe.ts).
 */

const config = chaosConfig(process.env);
const catalogue = chaosUnits();
const SETUP_TIMEOUT_MS = 240_000;
/** About twice what a run takes on the loaded 2-core box, plus teardown. */
const RUN_TIMEOUT_MS = Math.max(config.faults * 9_000, config.minutes * 60_000 * 1.5 + 180_000) + 120_000;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

describe('chaos: random faults against a 3-machine fleet on a 3-member etcd', () => {
  let chaos: ChaosCluster;
  let observer: ChaosObserver;
  let probe: DockerProbe;
  let runner: FaultRunner;
  let dir: string | undefined;
  let machines: MachineFacts[];

  /** Every fleet container on every live machine with its state: for a run that got stuck. */
  async function containerReport(): Promise<string> {
    const lines: string[] = [];
    for (const m of chaos.machines) {
      if (m.hostDown) continue;
      const list = await m.docker.docker.listContainers({ all: true, filters: { label: ['fleet.unit'] } }).catch((e: unknown) => errorText(e));
      lines.push(`${m.name}: ${typeof list === 'string' ? list : list.map((c) => `${c.Labels['fleet.unit']} ${c.State}`).sort().join(', ')}`);
    }
    return lines.join('\n');
  }

  /**
   * Repairs any hung dockerd (as a host death) and waits until the cluster has converged (see
   * convergenceGaps): `at`, the converged observation's time; `from`, `since` or the last hang
   * repair after it, whichever is later (the convergence bound and the give-up count from it).
   */
  async function convergedAt(since: number): Promise<{ at: number; from: number; dockerHangRepairs: number }> {
    const { cluster } = chaos;
    let gaps: string[] = ['not observed yet'];
    let from = since;
    let dockerHangRepairs = 0;
    while (Date.now() - from < CONVERGENCE_GIVE_UP_MS) {
      for (const m of chaos.machines) {
        const hang = chaos.unrepairedHang(m.name);
        if (hang !== undefined && !m.hostDown) {
          const { spawnedAt, ready } = await chaos.repairDockerHang(hang);
          dockerHangRepairs++;
          from = Math.max(from, spawnedAt);
          try {
            hang.impairment.back = await ready;
          } catch (error) {
            hang.impairment.back = Date.now();
            throw error;
          }
          process.stdout.write(`chaos: dockerd-${m.name} hung since ${new Date(hang.since).toISOString()}: replaced by a fresh dockerd, fleetd back at ${new Date(hang.impairment.back).toISOString()}\n`);
        } else if (!m.fleetdRunning && !m.hostDown) {
          // A fleetd that exited unasked is a crash (recorded by the exit watch): bring it back.
          await m.restartFleetd();
        }
      }
      const observation = await observer.observationAfter(Date.now());
      try {
        const [registered, schedule] = await withTimeout(Promise.all([cluster.registry.listMachines(), cluster.registry.listSchedule()]), 5_000, 'reading machines and schedule');
        const scheduled = new Map<string, string[]>();
        for (const e of schedule) scheduled.set(e.unit.name, [...(scheduled.get(e.unit.name) ?? []), e.machineId]);
        gaps = convergenceGaps(catalogue, machines, observation, new Set(registered.map((m) => m.machine.id)), scheduled);
        if (gaps.length === 0) return { at: observation.at, from, dockerHangRepairs };
      } catch (error) {
        gaps = [`registry read failed: ${errorText(error)}`];
      }
    }
    throw new Error(`the cluster did not converge within ${CONVERGENCE_GIVE_UP_MS / 1000} s: ${gaps.join('; ')}\n${await containerReport()}`);
  }

  beforeAll(async () => {
    const base = loopbackBase();
    const cluster = await startCluster({
      machines: [0, 1, 2].map((i) => ({
        name: `m${i}`,
        etcdAddress: `${base}${i + 2}`,
        metadata: { hostname: `chaos${i}`, role: i < 2 ? 'edge' : 'core' },
      })),
      agentTtl: `${AGENT_TTL_MS / 1000}s`,
      etcdMembers: 3,
      registerTimeoutMs: 60_000,
    });
    chaos = new ChaosCluster(cluster);
    runner = new FaultRunner(chaos);
    machines = chaos.machines.map((m) => ({ name: m.name, id: m.machineId, metadata: m.fleetd.metadata }));
    process.stdout.write(`chaos: seed ${config.seed} (FLEET_CHAOS_SEED=${config.seed} reproduces the schedule); logs in ${cluster.logDir}\n`);
    dir = await unitDir(catalogue.files);
    const start = await fleetctl(cluster, ['start', '--no-block', ...allUnitNames(catalogue).map((u) => join(dir!, u))]);
    if (start.code !== 0) throw new Error(`fleetctl start failed (${start.code}): ${start.stderr}`);
    observer = new ChaosObserver(chaos, catalogue, POLL_INTERVAL_MS);
    observer.start();
    probe = new DockerProbe(chaos);
    probe.start();
    const t0 = Date.now();
    await convergedAt(t0);
    process.stdout.write(`chaos: ${allUnitNames(catalogue).length} units running as they should after ${Date.now() - t0} ms\n`);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await observer?.stop();
    await probe?.stop();
    await runner?.cleanup();
    await chaos?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }, 180_000);

  it(
    `keeps every invariant through ${config.faults} faults${config.minutes > 0 ? ` and ${config.minutes} minutes` : ''}`,
    async () => {
      const startedAt = new Date();
      const deadline = startedAt.getTime() + config.minutes * 60_000;
      const violations: string[] = [];
      const outcomes: RoundOutcome[] = [];
      const rounds = chaosRounds(config.seed);
      let faults = 0;
      let aborted: unknown;
      let current = '';
      try {
        while (faults < config.faults || Date.now() < deadline) {
          // A dockerd hang detected after the last round converged: repair it (and converge) first.
          if (chaos.machines.some((m) => chaos.unrepairedHang(m.name) !== undefined)) {
            current = 'the repair of a hung dockerd between rounds';
            const converged = await convergedAt(Date.now());
            const convergenceMs = converged.at - converged.from;
            if (convergenceMs > CONVERGENCE_BOUND_MS) violations.push(`converged ${convergenceMs} ms after the repair of a hung dockerd`);
            outcomes.push({ kinds: [], convergenceMs, dockerHangRepairs: converged.dockerHangRepairs });
            process.stdout.write(`chaos: converged ${convergenceMs} ms after the repair of a hung dockerd\n`);
          }
          const round = rounds.next().value;
          current = `round ${round.index} (${round.faults.map((f) => f.kind).join(', ')})`;
          const result = await runner.runRound(round);
          violations.push(...result.violations);
          const converged = await convergedAt(result.repairedAt);
          const convergenceMs = converged.at - converged.from;
          const what = result.faults.map((f) => `${FAULT_LABELS[f.kind]} ${f.target} for ${((f.repairedAt - f.appliedAt) / 1000).toFixed(1)} s`).join(', ');
          const after = converged.dockerHangRepairs > 0 ? 'after the repair of a hung dockerd' : 'after the last repair';
          if (convergenceMs > CONVERGENCE_BOUND_MS) violations.push(`round ${round.index} (${what}): converged ${convergenceMs} ms ${after}`);
          outcomes.push({ kinds: result.faults.map((f) => f.kind), convergenceMs, dockerHangRepairs: converged.dockerHangRepairs });
          faults += result.faults.length;
          process.stdout.write(`chaos round ${round.index} (${new Date(result.repairedAt).toISOString().slice(11, 23)}): ${what}; converged ${convergenceMs} ms ${after}\n`);
        }
      } catch (error) {
        aborted = error;
        violations.push(`run aborted in ${current}: ${errorText(error)}`);
      }
      await observer.stop();
      await probe.stop();

      const overlaps = observer.overlaps();
      const doubleRuns = overlaps.doubleRuns.windows();
      const conflicts = overlaps.conflicts.windows();
      const hangWindows = windowsDuringHangs([...doubleRuns, ...conflicts], chaos.dockerHangs, RESTART_CLEANUP_MS);
      const windowText = (w: OverlapWindow): string =>
        `${w.key} on ${w.machines.join('+')} for ${windowLength(w)} from ${new Date(w.start).toISOString()} (${w.longestUnexcusedMs} ms outside the exemption)`;
      for (const w of overlaps.doubleRuns.exceeding(DOUBLE_RUN_BOUND_MS)) violations.push(`double run: ${windowText(w)}`);
      for (const w of overlaps.conflicts.exceeding(DOUBLE_RUN_BOUND_MS)) violations.push(`Conflicts violated: ${windowText(w)}`);
      for (const l of observer.lostUnits) violations.push(`unit record lost: ${l.unit} missing from units/ at ${new Date(l.at).toISOString()}`);
      for (const x of chaos.exits.unexpected) violations.push(`${x.process} exited unasked (${x.code}) at ${new Date(x.at).toISOString()}; log ${x.logFile}`);

      // How long each double run outlasted the return of a killed or frozen fleetd involved in it.
      let longestAfterBack: { ms: number; key: string } | undefined;
      for (const w of doubleRuns) {
        for (const i of chaos.impairments) {
          if (!w.machines.includes(i.machine) || i.back === undefined || i.back < w.start || i.back > w.lastSeen) continue;
          if (longestAfterBack === undefined || w.lastSeen - i.back > longestAfterBack.ms) longestAfterBack = { ms: w.lastSeen - i.back, key: `${w.key} on ${w.machines.join('+')}` };
        }
      }
      const summary = formatChaosSummary({
        longestAfterBack,
        seed: config.seed,
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        rounds: outcomes,
        doubleRuns,
        conflictOverlaps: conflicts,
        observations: observer.observations,
        longestPollGapMs: observer.longestPollGapMs,
        violations,
        dockerHangs: chaos.dockerHangs,
        hangWindows,
        bounds: { doubleRunMs: DOUBLE_RUN_BOUND_MS, convergenceMs: CONVERGENCE_BOUND_MS },
      });
      const windows = [...doubleRuns.map((w) => `double run ${windowText(w)}`), ...conflicts.map((w) => `conflict ${windowText(w)}`)];
      const observerNotes = [
        `docker polls failed: ${observer.dockerPollFailures}, registry reads failed: ${observer.registryReadFailures}, docker health probes: ${probe.probes}`,
        ...chaos.dockerHangs.map(
          (h) =>
            `dockerd-${h.machine} hung (environment): no answer from ${new Date(h.since).toISOString()}, detected ${new Date(h.detectedAt).toISOString()}, ` +
            `fresh dockerd ${h.repairedAt === undefined ? 'never' : new Date(h.repairedAt).toISOString()}, fleetd back ${h.impairment.back === undefined ? 'never' : new Date(h.impairment.back).toISOString()}`,
        ),
        'observations over 1 s:',
        ...observer.slowObservations,
      ];
      await writeFile(join(chaos.cluster.logDir, 'chaos-summary.txt'), `${summary}\n\n${windows.join('\n')}\n\n${observerNotes.join('\n')}\n`);
      process.stdout.write(`\n${summary}\n\n`);
      if (aborted !== undefined) throw aborted;
      expect(violations).toEqual([]);
      expect(faults).toBeGreaterThanOrEqual(config.faults);
    },
    RUN_TIMEOUT_MS,
  );
});
