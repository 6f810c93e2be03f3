import { open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildTestImage,
  copyImage,
  type Cluster,
  type DockerDaemon,
  eventually,
  type FleetdMachine,
  spawnTracked,
  startDockerd,
  type TrackedProcess,
} from '@fleet/testkit';
import { RESTART_CLEANUP_MS } from './chaos-config.js';
import { withTimeout } from './chaos-observer.js';

/**
 * The chaos suite's handle on a started cluster: each machine's current fleetd and dockerd (a
 * killed host comes back as a fresh dockerd with the same machine id and state dir), and a record
 * of every process that exited without the test killing it.
 */

export interface UnexpectedExit {
  readonly process: string;
  readonly code: number | string;
  readonly at: number;
  readonly logFile: string;
}

/**
 * A span during which a machine's fleetd could not act (killed or frozen, or its dockerd hung), by
 * machine name: from the fault (or the hang's detected start) until `graceMs` after its fleetd was
 * back.
 */
export interface Impairment {
  readonly machine: string;
  readonly start: number;
  /** When its fleetd was back: logged `fleetd started` after a restart (a hung dockerd's: on the fresh one), or SIGCONT. */
  back: number | undefined;
  /** How long after `back` its leftovers may still run (see RESTART_CLEANUP_MS). */
  readonly graceMs: number;
}

/**
 * A machine's dockerd that stopped answering (docker-probe.ts): an environment failure of that
 * host, exempt like a host death and repaired the same way, by a fresh dockerd and fleetd.
 */
export interface DockerHang {
  readonly machine: string;
  /** The daemon that hung (a host death by a fault may have replaced it since). */
  readonly docker: DockerDaemon;
  /** The start of the first probe that got no answer. */
  readonly since: number;
  readonly detectedAt: number;
  readonly impairment: Impairment;
  /** When the fresh dockerd and fleetd were spawned. */
  repairedAt: number | undefined;
}

const FLEETD_START_TIMEOUT_MS = 30_000;
/** A copy of the test image from another dockerd takes a second or two. */
const IMAGE_COPY_TIMEOUT_MS = 15_000;
/** An image donor must have answered a health probe this recently (probes run every second). */
const IMAGE_DONOR_FRESH_MS = 2_500;

export class ExitWatch {
  readonly unexpected: UnexpectedExit[] = [];
  private readonly expected = new WeakSet<TrackedProcess>();

  watch(process: TrackedProcess): void {
    void process.exited.then((code) => {
      if (!this.expected.has(process)) this.unexpected.push({ process: process.name, code, at: Date.now(), logFile: process.logFile });
    });
  }

  /** Call before signalling a process to end it. */
  expect(process: TrackedProcess): void {
    this.expected.add(process);
  }
}

/** fleetd's JSON log lines after byte `mark`. */
async function logLinesSince(file: string, mark: number): Promise<{ msg?: string; time?: number }[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= mark) return [];
    const buffer = Buffer.alloc(size - mark);
    await handle.read(buffer, 0, buffer.length, mark);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; time?: number });
  } finally {
    await handle.close();
  }
}

async function logSize(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

export class ChaosMachine {
  docker: DockerDaemon;
  /** Between a host kill and its fresh dockerd: nothing to observe. */
  hostDown = false;
  frozen = false;
  /** fleetd's arguments after the script path, with the current dockerd's endpoint. */
  private args: string[];

  constructor(
    readonly fleetd: FleetdMachine,
    private readonly exits: ExitWatch,
  ) {
    this.docker = fleetd.docker;
    this.args = fleetd.process.child.spawnargs.slice(1);
    exits.watch(fleetd.process);
    exits.watch(fleetd.docker.process);
  }

  get name(): string {
    return this.fleetd.name;
  }

  get machineId(): string {
    return this.fleetd.machineId;
  }

  get fleetdRunning(): boolean {
    return !this.fleetd.process.hasExited();
  }

  /** SIGKILL fleetd: its containers keep running. */
  async killFleetd(): Promise<void> {
    this.exits.expect(this.fleetd.process);
    this.fleetd.process.signal('SIGKILL');
    await this.fleetd.process.exited;
  }

  freeze(): void {
    this.frozen = true;
    this.fleetd.process.signal('SIGSTOP');
  }

  thaw(): void {
    this.fleetd.process.signal('SIGCONT');
    this.frozen = false;
  }

  /** Host death: fleetd and the whole Docker daemon with its containers. */
  async killHost(): Promise<void> {
    this.hostDown = true;
    await this.killFleetd();
    this.exits.expect(this.docker.process);
    await this.docker.kill();
  }

  /** The host boots again: a fresh dockerd (with the test image) and fleetd on it. */
  async restartHost(imageFrom: DockerDaemon | undefined, logDir: string): Promise<{ spawnedAt: number; ready: Promise<number> }> {
    const start = async (): Promise<DockerDaemon> => {
      const daemon = await startDockerd({ name: this.name, logFile: join(logDir, `dockerd-${this.name}.log`) });
      this.exits.watch(daemon.process);
      return daemon;
    };
    let fresh = await start();
    let donor = imageFrom;
    if (donor !== undefined) {
      try {
        await withTimeout(copyImage(donor, fresh), IMAGE_COPY_TIMEOUT_MS, `copying the test image to dockerd-${this.name}`);
      } catch {
        // The donor stopped answering (a dockerd hang not detected yet). testkit remembers the
        // copy in flight for `fresh`, so start over with another fresh dockerd and build the image.
        this.exits.expect(fresh.process);
        await fresh.kill();
        fresh = await start();
        donor = undefined;
      }
    }
    if (donor === undefined) await buildTestImage(fresh);
    this.docker = fresh;
    const i = this.args.indexOf('--docker-endpoint');
    this.args[i + 1] = fresh.endpoint;
    this.hostDown = false;
    return this.restartFleetd();
  }

  /**
   * Starts fleetd again (same machine id, state dir, dockerd). `ready` resolves with the time of
   * its `fleetd started` log line, and rejects if that does not come within 30 s.
   */
  async restartFleetd(): Promise<{ spawnedAt: number; ready: Promise<number> }> {
    if (this.fleetdRunning) throw new Error(`fleetd-${this.name} is still running`);
    const logFile = this.fleetd.process.logFile;
    const mark = await logSize(logFile);
    const env = { ...process.env };
    delete env['DOCKER_HOST'];
    const proc = spawnTracked(`fleetd-${this.name}`, process.execPath, this.args, { logFile, env });
    const spawnedAt = Date.now();
    this.fleetd.process = proc;
    this.exits.watch(proc);
    const ready = eventually(
      async () => (await logLinesSince(logFile, mark)).find((l) => l.msg === 'fleetd started')?.time ?? false,
      { timeoutMs: FLEETD_START_TIMEOUT_MS, intervalMs: 100, what: `fleetd-${this.name} to log "fleetd started" after its restart` },
    );
    // Observed by the caller; never an unhandled rejection.
    ready.catch(() => undefined);
    return { spawnedAt, ready };
  }
}

/** The cluster with chaos handles on its machines and etcd members. */
export class ChaosCluster {
  readonly exits = new ExitWatch();
  readonly machines: ChaosMachine[];
  readonly impairments: Impairment[] = [];
  readonly dockerHangs: DockerHang[] = [];
  /** When each dockerd last answered a health probe (docker-probe.ts). */
  readonly dockerAnsweredAt = new WeakMap<DockerDaemon, number>();
  /** Fresh dockerds of restarted hosts: stopped after the fleetds, before cluster.stop(). */
  private readonly freshDockerds = new Set<DockerDaemon>();

  constructor(readonly cluster: Cluster) {
    this.machines = cluster.machines.map((m) => new ChaosMachine(m, this.exits));
    for (const member of cluster.etcdMembers) this.exits.watch(member.process);
  }

  machine(name: string): ChaosMachine {
    const m = this.machines.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no machine ${name}`);
    return m;
  }

  /** True if `machine`'s fleetd was killed or frozen at `at` and not yet back. */
  impairedAt(machine: string, at: number): boolean {
    return this.impairments.some((i) => i.machine === machine && i.start <= at && (i.back === undefined || at <= i.back + i.graceMs));
  }

  impair(machine: string, graceMs: number, start = Date.now()): Impairment {
    const impairment: Impairment = { machine, start, back: undefined, graceMs };
    this.impairments.push(impairment);
    return impairment;
  }

  /** The recorded hang of `machine`'s dockerd not repaired yet, if any. */
  unrepairedHang(machine: string): DockerHang | undefined {
    return this.dockerHangs.find((h) => h.machine === machine && h.repairedAt === undefined);
  }

  /** Records that `docker` (`machine`'s current dockerd) has not answered since `since`: exempt from then on, like a host death. */
  markDockerHung(machine: ChaosMachine, docker: DockerDaemon, since: number): DockerHang {
    const hang: DockerHang = {
      machine: machine.name,
      docker,
      since,
      detectedAt: Date.now(),
      impairment: this.impair(machine.name, RESTART_CLEANUP_MS, since),
      repairedAt: undefined,
    };
    this.dockerHangs.push(hang);
    return hang;
  }

  /**
   * Repairs a hung dockerd as a host death: SIGKILL fleetd, dockerd, containerd and every
   * container, then a fresh dockerd and the same fleetd. Only between rounds (no fault in flight
   * on the machine). If a host death already replaced that dockerd there is nothing to kill; the
   * hang ends now. `ready` as for restartHost.
   */
  async repairDockerHang(hang: DockerHang): Promise<{ spawnedAt: number; ready: Promise<number> }> {
    const machine = this.machine(hang.machine);
    if (machine.docker !== hang.docker) {
      hang.repairedAt = Date.now();
      hang.impairment.back = hang.repairedAt;
      return { spawnedAt: hang.repairedAt, ready: Promise.resolve(hang.repairedAt) };
    }
    await machine.killHost();
    const restarted = await this.restartHost(machine);
    hang.repairedAt = restarted.spawnedAt;
    return restarted;
  }

  async killEtcdMember(index: number): Promise<void> {
    const member = this.cluster.etcdMembers[index]!;
    this.exits.expect(member.process);
    await member.kill();
  }

  async restartEtcdMember(index: number): Promise<void> {
    const member = this.cluster.etcdMembers[index]!;
    await member.restart();
    this.exits.watch(member.process);
  }

  async restartHost(machine: ChaosMachine): Promise<{ spawnedAt: number; ready: Promise<number> }> {
    // Copy the image only from a dockerd that answered its last health probe just now: from a hung
    // one (even one not detected yet) the copy would wait forever. No such donor: build it.
    const now = Date.now();
    const donor = this.machines.find(
      (m) => m !== machine && !m.hostDown && this.unrepairedHang(m.name) === undefined && now - (this.dockerAnsweredAt.get(m.docker) ?? 0) <= IMAGE_DONOR_FRESH_MS,
    )?.docker;
    const restarted = await machine.restartHost(donor, this.cluster.logDir);
    this.freshDockerds.add(machine.docker);
    return restarted;
  }

  /**
   * Teardown in dependency order: wake and restart what the test stopped (so fleetd can purge
   * and deregister), stop every fleetd, the fresh dockerds, then the rest of the cluster.
   */
  async stop(): Promise<void> {
    for (const m of this.machines) {
      this.exits.expect(m.fleetd.process);
      this.exits.expect(m.docker.process);
      if (m.frozen) m.thaw();
    }
    for (const [i, member] of this.cluster.etcdMembers.entries()) {
      this.exits.expect(member.process);
      if (member.process.hasExited()) await this.restartEtcdMember(i).catch(() => undefined);
      this.exits.expect(member.process);
    }
    await Promise.allSettled(this.machines.map((m) => m.fleetd.stop()));
    await Promise.allSettled([...this.freshDockerds].map((d) => d.stop()));
    await this.cluster.stop();
  }
}
