import Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { eventually } from './eventually.js';
import {
  isAlive,
  killPid,
  listHostProcesses,
  refOf,
  withDescendants,
  type HostProcess,
  type ProcessRef,
} from './host-processes.js';
import { unmountAllUnder } from './mounts.js';
import { createTestBridge, removeBridge, type BridgeRecord, type TestBridge } from './net-bridge.js';
import { signalProcess, spawnTracked, stopProcess, type ProcessRecord, type TrackedProcess } from './processes.js';
import { armSentinel, type Sentinel } from './sentinel.js';

export const DOCKERD_BIN = process.env['FLEET_TEST_DOCKERD'] ?? '/usr/sbin/dockerd';
export const BUSYBOX_BIN = process.env['FLEET_TEST_BUSYBOX'] ?? '/bin/busybox';
/** Built FROM scratch from the host's static busybox: there is no registry to pull from. */
export const TEST_IMAGE = 'fleet-test/busybox:1';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** Where containerd 1.6 shims put their sockets, whatever the daemon's own paths. */
const SHIM_SOCKET_DIR = '/run/containerd/s';
/** dockerd waits for containers' StopTimeout on SIGTERM; past this it is SIGKILLed. */
const STOP_GRACE_MS = 30_000;

/**
 * Everything that identifies a private dockerd and what it made, as plain data: enough to tear
 * the daemon down from another process (the local cluster's `down`) exactly as its own `stop()`.
 */
export interface DockerdRecord {
  readonly name: string;
  /** Short temp dir holding data-root, exec-root, socket, pidfile and config. */
  readonly rootDir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socketPath: string;
  /** `unix:///…/docker.sock` */
  readonly endpoint: string;
  readonly bridge: BridgeRecord;
  /** Absolute cgroup path given as --cgroup-parent, e.g. /fleet-test-a-x1Y2z3 */
  readonly cgroupParent: string;
  readonly logFile: string;
  readonly process: ProcessRecord;
}

/** A private dockerd, isolated from any other daemon on the host (see toolchain.md §4.1). */
export interface DockerDaemon {
  readonly name: string;
  readonly rootDir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socketPath: string;
  /** `unix:///…/docker.sock` */
  readonly endpoint: string;
  readonly bridge: TestBridge;
  /** Absolute cgroup path given as --cgroup-parent, e.g. /fleet-test-a-x1Y2z3 */
  readonly cgroupParent: string;
  readonly logFile: string;
  readonly process: TrackedProcess;
  readonly record: DockerdRecord;
  /** A dockerode client for the harness and tests; product code builds its own from `endpoint`. */
  readonly docker: Docker;
  /** Live processes that belong to this daemon: dockerd, containerd, shims, docker-proxy, containers. */
  processes(): Promise<ProcessRef[]>;
  /** SIGTERM (dockerd stops its containers and containerd), SIGKILL after a grace period, then clean up. */
  stop(): Promise<void>;
  /** Host death: SIGKILL dockerd, containerd, shims and container processes at once, then clean up. */
  kill(): Promise<void>;
}

export interface DockerdOptions {
  /** Names the process, its log and its cgroup: [a-z0-9-], at most 20 characters. */
  readonly name?: string;
  /** Where dockerd logs (default: dockerd.log in its root dir, deleted with it). */
  readonly logFile?: string;
  /** Outlive this process; tear it down later from `record` with teardownDockerd. */
  readonly persistent?: boolean;
  /** Called as soon as dockerd is spawned, before it answers: the record to persist for teardown. */
  readonly onSpawn?: (record: DockerdRecord) => void | Promise<void>;
}

const live = new Set<DockerDaemon>();

/**
 * What the sentinel does if this worker dies with the daemon still up: SIGKILL every process
 * whose command line names the daemon's dir (dockerd, containerd, shims) or that sits in its
 * cgroup (containers), then unmount, delete the shims' sockets, the bridge, the cgroups and the dir.
 * It is teardownDockerd in shell, for when no Node process is left to run that.
 * Paths must match startDockerd's layout (data-root `data`, exec-root `x`).
 */
const ORPHAN_CLEANUP = `
for round in 1 2 3 4 5 6 7 8 9 10; do
  pids=$(cat /sys/fs/cgroup/*/"$FT_CGROUP"/cgroup.procs /sys/fs/cgroup/*/"$FT_CGROUP"/*/cgroup.procs 2>/dev/null)
  for d in /proc/[0-9]*; do
    case "$(tr '\\0' ' ' < "$d/cmdline" 2>/dev/null)" in *"$FT_ROOT/"*) pids="$pids \${d#/proc/}";; esac
  done
  [ -z "$(echo $pids)" ] && break
  kill -9 $pids 2>/dev/null
  sleep 0.3
done
awk -v r="$FT_ROOT" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r |
  while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
for c in "$FT_ROOT"/data/containers/*; do
  [ -d "$c" ] || continue
  hash=$(printf '%s' "$FT_ROOT/x/containerd/containerd.sock/moby/\${c##*/}" | sha256sum | cut -d' ' -f1)
  rm -f "/run/containerd/s/$hash"
done
ip link del "$FT_BRIDGE" 2>/dev/null
for d in /sys/fs/cgroup/*/"$FT_CGROUP"; do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \\; 2>/dev/null; done
rm -rf "$FT_ROOT"
`;

function shortTmp(): string {
  // Unix socket paths are limited to ~108 bytes; the deepest one is containerd's under exec-root.
  const dir = tmpdir();
  return dir.length <= 20 ? dir : '/tmp';
}

function ownsArg(rootDir: string): (arg: string) => boolean {
  return (arg) => arg === rootDir || arg.includes(`${rootDir}/`);
}

async function cgroupDirs(cgroupParent: string): Promise<string[]> {
  const controllers = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  return controllers.map((c) => join(CGROUP_ROOT, c, cgroupParent));
}

/** Every pid in the cgroup subtree, across all hierarchies (cgroup v1 here, v2 works the same). */
async function cgroupPids(cgroupParent: string): Promise<number[]> {
  const pids = new Set<number>();
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of procs.split('\n')) if (/^\d+$/.test(line)) pids.add(Number(line));
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => walk(join(dir, e.name))));
  };
  await Promise.all((await cgroupDirs(cgroupParent)).map(walk));
  return [...pids].sort((a, b) => a - b);
}

/** rmdir bottom-up (cgroup directories are removed with rmdir, never by deleting their files). */
async function removeCgroups(cgroupParent: string): Promise<void> {
  const removeTree = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) await removeTree(join(dir, e.name));
    await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  };
  for (const dir of await cgroupDirs(cgroupParent)) {
    await eventually(
      async () => {
        await removeTree(dir);
        return true;
      },
      { timeoutMs: 10_000, what: `cgroup ${dir} to be removable` },
    );
  }
}

/** The cgroup directories of a daemon that still exist (empty once it is torn down). */
export async function remainingCgroups(record: Pick<DockerdRecord, 'cgroupParent'>): Promise<string[]> {
  const dirs = await cgroupDirs(record.cgroupParent);
  const exists = await Promise.all(dirs.map((d) => readdir(d).then(() => true, () => false)));
  return dirs.filter((_, i) => exists[i]);
}

/** containerd 1.6 names a shim's socket sha256("<containerd socket>/<namespace>/<id>"). */
function shimSocketFor(containerdSocket: string, namespace: string, id: string): string {
  return join(SHIM_SOCKET_DIR, createHash('sha256').update(`${containerdSocket}/${namespace}/${id}`).digest('hex'));
}

function shimSocketOf(p: HostProcess): string | undefined {
  const arg = (flag: string): string | undefined => {
    const i = p.cmdline.indexOf(flag);
    return i < 0 ? undefined : p.cmdline[i + 1];
  };
  const address = arg('-address');
  const namespace = arg('-namespace');
  const id = arg('-id');
  if (address === undefined || namespace === undefined || id === undefined) return undefined;
  return shimSocketFor(address, namespace, id);
}

/** The shim sockets of every container the daemon ever created (dockerd's namespace is `moby`). */
async function containerShimSockets(record: DockerdRecord): Promise<string[]> {
  const ids = await readdir(join(record.dataRoot, 'containers')).catch(() => [] as string[]);
  return ids.map((id) => shimSocketFor(join(record.execRoot, 'containerd', 'containerd.sock'), 'moby', id));
}

/**
 * Live processes that belong to the daemon: dockerd itself (if it is still the recorded
 * process), whatever names the daemon's dir on its command line (containerd, shims), whatever sits
 * in its cgroup (containers), and their descendants. Most leave dockerd's process group, so
 * neither the group nor the parent chain finds them all.
 */
export async function dockerdProcesses(record: DockerdRecord): Promise<HostProcess[]> {
  const all = await listHostProcesses();
  const owns = ownsArg(record.rootDir);
  const roots = new Set<number>(await cgroupPids(record.cgroupParent));
  if (await isAlive(record.process)) roots.add(record.process.pid);
  for (const p of all.values()) if (p.pid !== process.pid && p.cmdline.some(owns)) roots.add(p.pid);
  return withDescendants(roots, all);
}

/**
 * Refuses a record that startDockerd cannot have written (a damaged or hand-edited state file):
 * teardown kills by the root dir on command lines and deletes paths, so these must be exactly ours.
 */
function checkRecord(record: DockerdRecord): void {
  const unique = /^\/.+\/fd-([A-Za-z0-9]{6})$/.exec(record.rootDir)?.[1];
  const ok =
    unique !== undefined &&
    record.dataRoot === join(record.rootDir, 'data') &&
    record.execRoot === join(record.rootDir, 'x') &&
    /^\/fleet-test-[A-Za-z0-9-]+$/.test(record.cgroupParent) &&
    record.cgroupParent.endsWith(`-${unique}`) &&
    /^fltbr\d+$/.test(record.bridge.name);
  if (!ok) throw new Error(`not a dockerd record made by startDockerd: ${JSON.stringify(record)}`);
}

/**
 * Tears a daemon down from its record alone, so it works in the process that started it and in
 * any later one. `stop`: SIGTERM dockerd (it stops its containers and containerd), SIGKILL after
 * a grace period; `kill`: host death, no grace. Then SIGKILL whatever of it is left, unmount,
 * delete shim sockets, bridge, cgroups and the root dir. Safe to run again on a torn-down record.
 */
export async function teardownDockerd(record: DockerdRecord, how: 'stop' | 'kill'): Promise<void> {
  checkRecord(record);
  if (how === 'stop') await stopProcess(record.process, STOP_GRACE_MS);
  const shimSockets = new Set(await containerShimSockets(record));
  await eventually(
    async () => {
      const left = await dockerdProcesses(record);
      for (const p of left) {
        const socket = shimSocketOf(p);
        if (socket !== undefined) shimSockets.add(socket);
      }
      await signalProcess(record.process, 'SIGKILL');
      for (const p of left) killPid(p.pid);
      return left.length === 0;
    },
    { timeoutMs: 20_000, what: `processes of dockerd ${record.name} to exit` },
  );
  await unmountAllUnder(record.rootDir);
  // A SIGKILLed shim leaves its socket behind; a clean one removes it itself.
  await Promise.all([...shimSockets].map((s) => rm(s, { force: true })));
  await removeBridge(record.bridge.name);
  await removeCgroups(record.cgroupParent);
  await rm(record.rootDir, { recursive: true, force: true });
}

async function logTail(logFile: string, lines = 30): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts a private dockerd with its own dirs, socket, pidfile, bridge and cgroup parent. */
export async function startDockerd(opts: DockerdOptions = {}): Promise<DockerDaemon> {
  const name = opts.name ?? 'd';
  const persistent = opts.persistent === true;
  if (!/^[a-z0-9][a-z0-9-]{0,19}$/.test(name)) throw new Error(`bad daemon name ${JSON.stringify(name)}`);
  const rootDir = await mkdtemp(join(shortTmp(), 'fd-'));
  const unique = basename(rootDir).slice('fd-'.length);
  const dataRoot = join(rootDir, 'data');
  const execRoot = join(rootDir, 'x');
  const socketPath = join(rootDir, 'docker.sock');
  const logFile = opts.logFile ?? join(rootDir, 'dockerd.log');
  const configFile = join(rootDir, 'daemon.json');
  // The random suffix keeps two workers that chose the same name out of each other's cgroup.
  const cgroupName = `fleet-test-${name}-${unique}`;
  await mkdir(dataRoot);
  await mkdir(execRoot);
  // An explicit empty config: a host /etc/docker/daemon.json must not leak into test daemons.
  await writeFile(configFile, '{}\n');

  let bridge: TestBridge;
  try {
    bridge = await createTestBridge();
  } catch (error) {
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }

  const sentinel: Sentinel | undefined = persistent
    ? undefined
    : armSentinel(ORPHAN_CLEANUP, { FT_ROOT: rootDir, FT_CGROUP: cgroupName, FT_BRIDGE: bridge.name });
  let proc: TrackedProcess;
  try {
    proc = spawnTracked(
      `dockerd-${name}`,
      DOCKERD_BIN,
      [
        '--data-root', dataRoot,
        '--exec-root', execRoot,
        '-H', `unix://${socketPath}`,
        '--pidfile', join(rootDir, 'docker.pid'),
        '--config-file', configFile,
        `--bridge=${bridge.name}`,
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        '--cgroup-parent', `/${cgroupName}`,
      ],
      {
        logFile,
        env: { ...process.env, PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${process.env['PATH'] ?? ''}` },
        persistent,
      },
    );
  } catch (error) {
    sentinel?.disarm();
    await bridge.remove();
    await rm(rootDir, { recursive: true, force: true });
    throw error;
  }
  const record: DockerdRecord = {
    name,
    rootDir,
    dataRoot,
    execRoot,
    socketPath,
    endpoint: `unix://${socketPath}`,
    bridge: { name: bridge.name, subnet: bridge.subnet, gateway: bridge.gateway },
    cgroupParent: `/${cgroupName}`,
    logFile,
    process: proc.record,
  };
  const docker = new Docker({ socketPath, host: undefined, protocol: 'http' });

  let ending: Promise<void> | undefined;
  const end = (how: 'stop' | 'kill'): Promise<void> => {
    ending ??= (async () => {
      // A persistent child is unref'd: waiting for its exit must keep the event loop alive.
      proc.child.ref();
      await teardownDockerd(record, how);
      await proc.exited;
      sentinel?.disarm();
      live.delete(daemon);
    })();
    return ending;
  };

  const daemon: DockerDaemon = {
    name,
    rootDir,
    dataRoot,
    execRoot,
    socketPath,
    endpoint: record.endpoint,
    bridge,
    cgroupParent: record.cgroupParent,
    logFile,
    process: proc,
    record,
    docker,
    processes: async () => (await dockerdProcesses(record)).map(refOf),
    stop: () => end('stop'),
    kill: () => end('kill'),
  };
  if (!persistent) live.add(daemon);

  let early: number | string | undefined;
  void proc.exited.then((code) => {
    early = code;
  });
  try {
    await opts.onSpawn?.(record);
    await eventually(
      async () => {
        if (early !== undefined) return `exited (${early})`;
        const pong = await docker.ping();
        return pong.toString() === 'OK' ? 'ready' : false;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: `dockerd ${name} to answer /_ping` },
    ).then((outcome) => {
      if (outcome !== 'ready') throw new Error(`dockerd ${name} ${outcome}`);
    });
  } catch (error) {
    const log = await logTail(logFile);
    await end('kill');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- dockerd log ---\n${log}`);
  }
  return daemon;
}

/** Stops every daemon this worker started and has not stopped yet (for afterAll safety nets). */
export async function stopAllDockerds(): Promise<void> {
  await Promise.all([...live].map((d) => d.stop()));
}

// ---- the test image ------------------------------------------------------------------------

const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/bin
CMD ["sh"]
`;

interface ProgressLine {
  error?: string;
  errorDetail?: { message?: string };
}

/** Drains a build/load progress stream; Docker reports failures inside it with HTTP 200. */
function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: ProgressLine[]) => {
      if (error !== null) return reject(error);
      const failed = output.find((o) => o.error !== undefined || o.errorDetail !== undefined);
      if (failed !== undefined) return reject(new Error(failed.errorDetail?.message ?? failed.error));
      resolve();
    });
  });
}

const images = new WeakMap<DockerDaemon, Promise<void>>();

function remember(daemon: DockerDaemon, work: Promise<void>): Promise<void> {
  images.set(daemon, work);
  work.catch(() => images.delete(daemon));
  return work;
}

/** Builds TEST_IMAGE in `daemon` (once per daemon) through the Engine API; resolves to its tag. */
export async function buildTestImage(daemon: DockerDaemon): Promise<string> {
  const cached = images.get(daemon);
  if (cached !== undefined) {
    await cached;
    return TEST_IMAGE;
  }
  await remember(
    daemon,
    (async () => {
      const context = await mkdtemp(join(tmpdir(), 'fleet-image-'));
      try {
        await copyFile(BUSYBOX_BIN, join(context, 'busybox'));
        await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
        const stream = await daemon.docker.buildImage(
          { context, src: ['Dockerfile', 'busybox'] },
          { t: TEST_IMAGE, networkmode: 'none', rm: true, forcerm: true },
        );
        await followProgress(daemon.docker, stream);
        await daemon.docker.getImage(TEST_IMAGE).inspect();
      } finally {
        await rm(context, { recursive: true, force: true });
      }
    })(),
  );
  return TEST_IMAGE;
}

/** Copies an image between daemons with save/load (no registry); about 3× faster than building. */
export async function copyImage(from: DockerDaemon, to: DockerDaemon, tag: string = TEST_IMAGE): Promise<void> {
  if (tag === TEST_IMAGE) await buildTestImage(from);
  const work = (async () => {
    const tar = await from.docker.getImage(tag).get();
    const progress = await to.docker.loadImage(tar);
    await followProgress(to.docker, progress);
    await to.docker.getImage(tag).inspect();
  })();
  await (tag === TEST_IMAGE ? remember(to, work) : work);
}

/** Makes TEST_IMAGE available in every daemon: built in the first, copied to the others. */
export async function provideTestImage(daemons: readonly DockerDaemon[]): Promise<string> {
  const [first, ...rest] = daemons;
  if (first === undefined) return TEST_IMAGE;
  await buildTestImage(first);
  await Promise.all(rest.filter((d) => !images.has(d)).map((d) => copyImage(first, d)));
  return TEST_IMAGE;
}
