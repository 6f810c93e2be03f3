import type { Logger } from '@fleet/core';
import type { IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';
import type { EtcdClient } from './etcd-client.js';
import { isEtcdDown, leaseFenceAt } from './etcd-outage.js';
import type { EtcdProbe } from './etcd-probe.js';
import { LeaseError, toRegistryError } from './errors.js';

/**
 * A lease kept alive on our own keepalive stream (etcd3's Lease cannot adopt an existing id and
 * reports `lost` only after 2×TTL, while etcd expires the lease after TTL).
 *
 * Self-fencing: `lost` fires once no keepalive sent in the last TTL has been answered. A lease's
 * expiry on the server is at least TTL after the server renewed it, and the server renewed it
 * after we sent the request, so measuring from the send time means we give up no later than
 * etcd does. `regrant()` then first tries to resume the same lease — etcd refreshes leases when
 * it restarts, so after a short outage the keys are often still there and nothing needs to move —
 * and grants a new one only when the old one is really gone.
 *
 * With a `probe`, an unanswered keeper also asks etcd's endpoints how they fail: while etcd is
 * down everywhere (refused, leaderless, electing) it can expire no lease, so the fence moves to
 * a TTL after the last such sighting (etcd-outage.ts). An etcd outage then loses nothing — the
 * keepalives resume on the same lease when it is back — while a partition (timeouts, silence)
 * still loses the lease a TTL after the last answered keepalive.
 */

export interface LeaseKeeperOptions {
  readonly client: EtcdClient;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  /** Tells "etcd is down" from "we are cut off" when keepalives go unanswered (createEtcdProbe). */
  readonly probe?: EtcdProbe;
}

export interface LeaseLoss {
  readonly leaseId: string;
  readonly reason: string;
}

export type LeaseLostListener = (loss: LeaseLoss) => void;

/** etcd3's keepalive stream, typed as we use it. */
type KeepaliveStream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

const RESTREAM_DELAY_MS = 200;

/** How often the keeper checks whether a keepalive answer is overdue (then probes etcd). */
const PROBE_CHECK_MS = 100;

/** How long one probe of etcd's endpoints may take: short enough to conclude well before the fence. */
export function probeTimeoutMs(ttlMs: number): number {
  return Math.min(1_000, Math.max(200, Math.floor(ttlMs / 4)));
}

/** Keeps one lease id alive until stopped or lost. One per lease id; the keeper swaps them. */
class KeepaliveSession {
  lastSuccessAt: number;
  /** When etcd was last seen down everywhere (isEtcdDown), as the probe's start time; 0: never. */
  lastEtcdDownAt = 0;
  /** Whether the latest probe found etcd down everywhere. */
  etcdDown = false;
  private probing = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stream: KeepaliveStream | undefined;
  /** Send times of keepalives not answered yet; etcd answers in order on one stream. */
  private pending: number[] = [];
  private interval: NodeJS.Timeout | undefined;
  private fence: NodeJS.Timeout | undefined;
  private restream: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: EtcdClient,
    readonly leaseId: string,
    readonly ttlMs: number,
    renewedAt: number,
    private readonly logger: Logger,
    private readonly onLost: (reason: string) => void,
    private readonly probe: EtcdProbe | undefined,
  ) {
    this.lastSuccessAt = renewedAt;
  }

  start(): void {
    this.armFence();
    this.openStream();
    if (this.probe !== undefined) {
      this.probeTimer = setInterval(() => {
        // A keepalive not answered promptly: find out how etcd fails, while there is time to act.
        const overdueAfter = this.keepaliveEveryMs + Math.min(250, this.keepaliveEveryMs / 2);
        if (Date.now() - this.lastSuccessAt > overdueAfter) this.probeEndpoints();
      }, PROBE_CHECK_MS);
    }
  }

  private get keepaliveEveryMs(): number {
    return Math.max(250, Math.floor(this.ttlMs / 3));
  }

  private probeEndpoints(): void {
    const probe = this.probe;
    if (probe === undefined || this.probing || this.stopped) return;
    this.probing = true;
    const startedAt = Date.now();
    probe().then(
      (results) => {
        this.probing = false;
        if (this.stopped) return;
        const down = isEtcdDown(results, this.etcdDown);
        if (down !== this.etcdDown) {
          const log = down ? this.logger.warn : this.logger.info;
          log.call(
            this.logger,
            down
              ? 'etcd cannot serve on any endpoint (down, leaderless or electing): no lease can expire, keeping ours'
              : 'etcd no longer looks down everywhere: the lease expires a TTL after it was last seen down',
            { leaseId: this.leaseId, endpoints: results.join(',') },
          );
        }
        this.etcdDown = down;
        if (down) {
          this.lastEtcdDownAt = Math.max(this.lastEtcdDownAt, startedAt);
          this.armFence();
        }
      },
      () => {
        this.probing = false;
      },
    );
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.fence);
    clearInterval(this.probeTimer);
    clearTimeout(this.restream);
    this.closeStream();
  }

  private armFence(): void {
    clearTimeout(this.fence);
    const remaining = leaseFenceAt(this.lastSuccessAt, this.lastEtcdDownAt, this.ttlMs) - Date.now();
    this.fence = setTimeout(() => {
      if (this.stopped) return;
      if (Date.now() >= leaseFenceAt(this.lastSuccessAt, this.lastEtcdDownAt, this.ttlMs)) {
        this.lose(`no keepalive answered within the ${this.ttlMs / 1000}s TTL`);
      } else {
        this.armFence();
      }
    }, Math.max(0, remaining));
  }

  private lose(reason: string): void {
    if (this.stopped) return;
    this.stop();
    this.onLost(reason);
  }

  private openStream(): void {
    this.client.leaseClient.leaseKeepAlive().then(
      (stream: KeepaliveStream) => {
        if (this.stopped) {
          stream.end();
          return;
        }
        this.stream = stream;
        this.pending = [];
        stream.on('data', (response) => this.onResponse(stream, response));
        stream.on('error', (error) => this.onStreamFailure(stream, error));
        stream.on('end', () => this.onStreamFailure(stream, new Error('keepalive stream ended')));
        this.interval = setInterval(() => this.send(stream), this.keepaliveEveryMs);
        this.send(stream);
      },
      (error: unknown) => this.onStreamFailure(undefined, error),
    );
  }

  private send(stream: KeepaliveStream): void {
    if (this.stopped || stream !== this.stream) return;
    const oldest = this.pending[0];
    // An answer overdue by more than half the TTL: the stream is wedged; open a fresh one.
    if (oldest !== undefined && Date.now() - oldest > Math.max(1_000, this.ttlMs / 2)) {
      this.onStreamFailure(stream, new Error('keepalive answer overdue'));
      return;
    }
    this.pending.push(Date.now());
    try {
      stream.write({ ID: this.leaseId });
    } catch (error) {
      this.onStreamFailure(stream, error);
    }
  }

  private onResponse(stream: KeepaliveStream, response: ILeaseKeepAliveResponse): void {
    if (this.stopped || stream !== this.stream) return;
    const sentAt = this.pending.shift();
    if (Number(response.TTL) <= 0) {
      this.lose('etcd reports the lease expired');
      return;
    }
    if (sentAt !== undefined && sentAt > this.lastSuccessAt) {
      this.lastSuccessAt = sentAt;
      this.etcdDown = false;
      this.armFence();
    }
  }

  private onStreamFailure(stream: KeepaliveStream | undefined, error: unknown): void {
    if (this.stopped || stream !== this.stream) return;
    this.probeEndpoints();
    this.logger.debug('lease keepalive stream failed; reopening', {
      leaseId: this.leaseId,
      error: error instanceof Error ? error.message : String(error),
    });
    this.closeStream();
    clearTimeout(this.restream);
    this.restream = setTimeout(() => this.openStream(), RESTREAM_DELAY_MS);
  }

  private closeStream(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    const stream = this.stream;
    this.stream = undefined;
    this.pending = [];
    if (stream !== undefined) {
      try {
        stream.cancel();
      } catch {
        // already closed
      }
    }
  }
}

export class LeaseKeeper {
  private session: KeepaliveSession | undefined;
  private readonly listeners = new Set<LeaseLostListener>();
  private closed = false;

  private constructor(private readonly options: LeaseKeeperOptions) {}

  /** Grants a fresh lease and starts keeping it alive. */
  static async grant(options: LeaseKeeperOptions): Promise<LeaseKeeper> {
    const keeper = new LeaseKeeper(options);
    await keeper.startFresh();
    return keeper;
  }

  /**
   * Resumes keeping `leaseId` alive if etcd still has it (a fleetd restart within TTL keeps its
   * machine key and states); otherwise grants a fresh lease. `adopted` says which happened.
   */
  static async adopt(
    options: LeaseKeeperOptions & { readonly leaseId: string },
  ): Promise<{ keeper: LeaseKeeper; adopted: boolean }> {
    const keeper = new LeaseKeeper(options);
    const adopted = await keeper.tryResume(options.leaseId);
    if (!adopted) await keeper.startFresh();
    return { keeper, adopted };
  }

  /** The current lease id (decimal string, as etcd3 gives int64s). Changes after a fresh grant. */
  get id(): string {
    if (this.session === undefined) throw new LeaseError('lease keeper has no lease');
    return this.session.leaseId;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  /** Send time (epoch ms) of the newest keepalive etcd answered. */
  get lastKeepAliveAt(): number {
    return this.session?.lastSuccessAt ?? 0;
  }

  /** True while keepalives go unanswered because every etcd endpoint refuses or has no leader. */
  isEtcdDown(): boolean {
    const session = this.session;
    return session !== undefined && !session.isStopped && session.etcdDown && !this.isHealthy();
  }

  /** True while the lease is held and was renewed within its TTL. */
  isHealthy(): boolean {
    const session = this.session;
    return (
      !this.closed &&
      session !== undefined &&
      !session.isStopped &&
      Date.now() - session.lastSuccessAt < session.ttlMs
    );
  }

  /** Fires once per lost lease id. Returns an unsubscribe function. */
  onLost(listener: LeaseLostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * After a loss (or any time): keep the same lease if etcd still has it, else grant a new one.
   * Returns whether the old lease survived — if not, every key bound to it must be written again.
   */
  async regrant(): Promise<{ leaseId: string; resumed: boolean }> {
    if (this.closed) throw new LeaseError('lease keeper is closed');
    const old = this.session;
    old?.stop();
    const resumed = old !== undefined && (await this.tryResume(old.leaseId));
    if (!resumed) await this.startFresh();
    return { leaseId: this.id, resumed };
  }

  /** Stops keepalives and revokes the lease, deleting its keys now. */
  async revoke(): Promise<void> {
    this.closed = true;
    const session = this.session;
    if (session === undefined) return;
    session.stop();
    try {
      await this.options.client.leaseClient.leaseRevoke({ ID: session.leaseId });
    } catch (error) {
      if (!isLeaseNotFound(error)) throw toRegistryError(error, 'lease revoke');
    }
  }

  /** Stops keepalives without revoking: the lease (and its keys) expire after TTL. */
  release(): void {
    this.closed = true;
    this.session?.stop();
  }

  private async startFresh(): Promise<void> {
    const { client, ttlSeconds } = this.options;
    const sentAt = Date.now();
    let response;
    try {
      response = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
    } catch (error) {
      throw toRegistryError(error, 'lease grant');
    }
    if (response.error) throw new LeaseError(`lease grant refused: ${response.error}`);
    this.startSession(response.ID, Number(response.TTL) * 1000, sentAt);
  }

  /** Keeps `leaseId` alive from now on if etcd still has it; false if it has expired. */
  private async tryResume(leaseId: string): Promise<boolean> {
    let response;
    try {
      response = await this.options.client.leaseClient.leaseTimeToLive({ ID: leaseId });
    } catch (error) {
      if (isLeaseNotFound(error)) return false;
      throw toRegistryError(error, 'lease lookup');
    }
    // etcd answers -1 for an expired lease; 0 means alive with under a second left, so renew it now
    // rather than trust a remaining time that rounds to nothing.
    if (Number(response.TTL) < 0) return false;
    const renewedAt = await this.renewOnce(leaseId);
    if (renewedAt === undefined) return false;
    this.startSession(leaseId, Number(response.grantedTTL) * 1000, renewedAt);
    return true;
  }

  /** One keepalive round trip on its own stream: the send time if etcd renewed the lease, else undefined. */
  private async renewOnce(leaseId: string): Promise<number | undefined> {
    const sentAt = Date.now();
    let stream: KeepaliveStream;
    try {
      stream = await this.options.client.leaseClient.leaseKeepAlive();
    } catch (error) {
      throw toRegistryError(error, 'lease keepalive');
    }
    try {
      const ttl = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new LeaseError('lease keepalive got no answer')), Math.max(1_000, this.options.ttlSeconds * 1000));
        stream.on('data', (r: ILeaseKeepAliveResponse) => {
          clearTimeout(timer);
          resolve(Number(r.TTL));
        });
        stream.on('error', (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        });
        stream.write({ ID: leaseId });
      });
      return ttl > 0 ? sentAt : undefined;
    } catch (error) {
      throw toRegistryError(error, 'lease keepalive');
    } finally {
      stream.end();
    }
  }

  private startSession(leaseId: string, ttlMs: number, renewedAt: number): void {
    const { client, logger, probe } = this.options;
    const session = new KeepaliveSession(client, leaseId, ttlMs, renewedAt, logger, (reason) => {
      logger.warn('lease lost', { leaseId, reason });
      for (const listener of [...this.listeners]) {
        try {
          listener({ leaseId, reason });
        } catch (error) {
          logger.error('lease lost listener failed', { leaseId, error: String(error) });
        }
      }
    }, probe);
    this.session = session;
    if (this.closed) session.stop();
    else session.start();
  }
}

function isLeaseNotFound(error: unknown): boolean {
  return error instanceof Error && /lease not found/i.test(error.message);
}
