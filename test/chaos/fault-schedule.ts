/**
 * The chaos suite's seeded fault schedule: an endless sequence of rounds, each one to three faults
 * applied together (staggered), held, then repaired. The same seed gives the same sequence of
 * kinds, offsets, hold times and target picks; which machine a pick lands on depends on the
 * cluster at the time (the engine leader, the machines already hit in the round).
 */

export type FaultKind = 'fleetd-kill' | 'host-kill' | 'freeze' | 'partition' | 'etcd-member-kill' | 'leader-kill';

export const FAULT_KINDS: readonly FaultKind[] = ['fleetd-kill', 'host-kill', 'freeze', 'partition', 'etcd-member-kill', 'leader-kill'];

export const FAULT_LABELS: Readonly<Record<FaultKind, string>> = {
  'fleetd-kill': 'SIGKILL fleetd',
  'host-kill': 'host death (SIGKILL fleetd + dockerd)',
  freeze: 'SIGSTOP/SIGCONT fleetd',
  partition: 'partition machine from etcd',
  'etcd-member-kill': 'SIGKILL etcd member',
  'leader-kill': 'SIGKILL engine leader fleetd',
};

/** Faults that take a machine (its fleetd, host or network) out. */
export const MACHINE_FAULTS: ReadonlySet<FaultKind> = new Set(['fleetd-kill', 'host-kill', 'freeze', 'partition', 'leader-kill']);

/** How long each kind is held before its repair: some below agent_ttl (2 s), most above. */
const HOLD_MS: Readonly<Record<FaultKind, readonly [number, number]>> = {
  'fleetd-kill': [500, 5_000],
  'host-kill': [500, 4_000],
  freeze: [500, 5_000],
  partition: [1_000, 6_000],
  'etcd-member-kill': [500, 5_000],
  'leader-kill': [500, 5_000],
};

/** Later faults of a round start up to this long after the first. */
const MAX_OFFSET_MS = 2_000;
/** Two machines out at once trips the engine's mass-loss brake; three would leave nothing to run on. */
const MAX_MACHINE_FAULTS_PER_ROUND = 2;

export interface PlannedFault {
  readonly kind: FaultKind;
  /** After the round's start. */
  readonly offsetMs: number;
  /** From the fault to the start of its repair. */
  readonly holdMs: number;
  /** In [0, 1): chooses the target among those eligible when the round starts. */
  readonly pick: number;
  /** etcd-member-kill only: the raft leader, or a member by pick. */
  readonly etcdLeader: boolean;
}

export interface PlannedRound {
  readonly index: number;
  readonly faults: readonly PlannedFault[];
}

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function allowed(kind: FaultKind, chosen: readonly FaultKind[]): boolean {
  if (chosen.includes(kind) && (kind === 'leader-kill' || kind === 'etcd-member-kill')) return false;
  return !MACHINE_FAULTS.has(kind) || chosen.filter((k) => MACHINE_FAULTS.has(k)).length < MAX_MACHINE_FAULTS_PER_ROUND;
}

/**
 * Rounds of one to three faults (35 % / 40 % / 25 %): at most two machine faults (never the same
 * machine twice), at most one engine-leader kill and at most one etcd member down (a second would
 * lose etcd's quorum, an outage of its own kind, tested in etcd-outage.test.ts).
 */
export function* chaosRounds(seed: number): Generator<PlannedRound, never> {
  const random = seededRandom(seed);
  const between = ([low, high]: readonly [number, number]): number => Math.round(low + random() * (high - low));
  for (let index = 0; ; index++) {
    const r = random();
    const size = r < 0.35 ? 1 : r < 0.75 ? 2 : 3;
    const kinds: FaultKind[] = [];
    while (kinds.length < size) {
      const kind = FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!;
      if (allowed(kind, kinds)) kinds.push(kind);
    }
    // The engine leader is found when the round starts: kill it first, before anything else moves it.
    kinds.sort((a, b) => Number(b === 'leader-kill') - Number(a === 'leader-kill'));
    const faults = kinds.map((kind, i) => ({
      kind,
      offsetMs: i === 0 ? 0 : between([0, MAX_OFFSET_MS]),
      holdMs: between(HOLD_MS[kind]),
      pick: random(),
      etcdLeader: random() < 1 / 3,
    }));
    yield { index, faults };
  }
}
