import { DEFAULT_KEY_PREFIX, buildKeyspace } from '@fleet/core';
import type { Logger } from '@fleet/core';
import { SortOrder, SortTarget } from 'etcd3';
import type { Campaign, Election } from 'etcd3';
import type { EtcdClient } from './etcd-client.js';
import { compare, op, prefixRangeEnd, rangeResult } from './etcd-ops.js';
import { NotLeaderError, toRegistryError } from './errors.js';
import type { FencingGuard } from './registry.js';

/**
 * Engine leadership on etcd's election API (etcd3 `election(name, ttl).campaign(id)`), with the
 * traps of toolchain.md §2.4 closed:
 * - every campaign has its `error` listener from birth, and a `dead` flag: a campaign errors
 *   twice, and may still emit `elected` after it failed — both are ignored once it is dead;
 * - `elected` is not trusted: a txn confirms our key exists and is the oldest in the election;
 * - leadership is re-confirmed every `verifyIntervalMs` and dropped when not confirmed within
 *   TTL (etcd3 reports its campaign lease lost only after 2×TTL), or when the key is gone;
 * - after any loss: resign (best effort), wait, campaign again with a fresh campaign;
 * - stop() resigns, handing over in milliseconds instead of a TTL.
 * The guard() compare makes a deposed leader's writes fail even if it has not noticed yet.
 */

export interface LeadershipOptions {
  readonly client: EtcdClient;
  readonly logger: Logger;
  /** Value stored in our election key (the machine id), shown as the leader. */
  readonly candidateId: string;
  readonly ttlSeconds: number;
  readonly prefix?: string;
  /** Election name under `<prefix>engine/election/`. */
  readonly electionName?: string;
  readonly recampaignDelayMs?: number;
  readonly verifyIntervalMs?: number;
}

export type LeadershipListener = (isLeader: boolean) => void;

interface CampaignState {
  readonly campaign: Campaign;
  readonly startedAt: number;
  dead: boolean;
}

interface LeaderState {
  readonly owner: CampaignState;
  readonly guard: FencingGuard;
  lastConfirmedAt: number;
}

export class Leadership {
  private readonly election: Election;
  private readonly electionPrefix: string;
  private readonly logger: Logger;
  private readonly ttlMs: number;
  private readonly recampaignDelayMs: number;
  private readonly verifyIntervalMs: number;
  private readonly listeners = new Set<LeadershipListener>();
  private current: CampaignState | undefined;
  private leader: LeaderState | undefined;
  private failuresInARow = 0;
  private started = false;
  private stopped = false;
  private recampaignTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private fenceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LeadershipOptions) {
    const keys = buildKeyspace(options.prefix ?? DEFAULT_KEY_PREFIX);
    const name = options.electionName ?? 'leader';
    const engine = options.client.namespace(keys.engineNamespace());
    this.election = engine.election(name, options.ttlSeconds);
    // etcd3 stores campaign keys at <namespace>election/<name>/<leaseId>.
    this.electionPrefix = `${keys.engineNamespace()}election/${name}/`;
    this.logger = options.logger.child({ component: 'leadership', candidate: options.candidateId });
    this.ttlMs = options.ttlSeconds * 1000;
    this.recampaignDelayMs = options.recampaignDelayMs ?? 1_000;
    this.verifyIntervalMs = options.verifyIntervalMs ?? Math.max(200, Math.floor(this.ttlMs / 3));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.campaign();
  }

  /** Leaves the election: resigns (our key is deleted, a follower takes over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.recampaignTimer);
    const state = this.current;
    if (state !== undefined) await this.abandon(state, 'stopping');
  }

  /** True while we won, confirmed it within the TTL, and have not lost it since. */
  isLeader(): boolean {
    return this.leader !== undefined && Date.now() - this.leader.lastConfirmedAt < this.ttlMs;
  }

  /** Called with true on winning, false on losing leadership. Returns an unsubscribe function. */
  onChange(listener: LeadershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The compare every engine write must carry. Throws NotLeaderError when not leader. */
  guard(): FencingGuard {
    if (this.leader === undefined || !this.isLeader()) throw new NotLeaderError();
    return this.leader.guard;
  }

  /** The candidate id of whoever leads now (undefined if nobody does). */
  async currentLeader(): Promise<string | undefined> {
    try {
      return await this.election.leader();
    } catch (error) {
      throw toRegistryError(error, 'read election leader');
    }
  }

  private campaign(): void {
    if (this.stopped) return;
    const campaign = this.election.campaign(this.options.candidateId);
    const state: CampaignState = { campaign, dead: false, startedAt: Date.now() };
    this.current = state;
    // Attached synchronously: a campaign without an error listener crashes the process.
    campaign.on('error', (error) => {
      if (state.dead) return;
      // One warning per outage, not one per retry: a campaign that lived a while ends a streak.
      if (Date.now() - state.startedAt > 2 * this.ttlMs) this.failuresInARow = 0;
      this.failuresInARow += 1;
      const log = this.failuresInARow === 1 ? this.logger.warn : this.logger.debug;
      const failuresInARow = this.failuresInARow;
      log.call(this.logger, 'campaign failed', { error: error.message, failuresInARow });
      void this.abandon(state, `campaign failed: ${error.message}`);
    });
    campaign.on('elected', () => {
      void this.onElected(state);
    });
  }

  private async onElected(state: CampaignState): Promise<void> {
    if (state.dead || this.stopped) return;
    try {
      const key = await state.campaign.getCampaignKey();
      const confirmedAt = Date.now();
      const createRevision = await this.confirmOldest(key);
      if (state.dead || this.stopped) return;
      if (createRevision === undefined) {
        await this.abandon(state, 'elected, but our key is missing or not the oldest');
        return;
      }
      this.failuresInARow = 0;
      this.leader = { owner: state, guard: { key, createRevision }, lastConfirmedAt: confirmedAt };
      this.armTimers();
      this.logger.info('became engine leader', { key, createRevision });
      this.notify(true);
    } catch (error) {
      await this.abandon(state, `could not confirm election: ${messageOf(error)}`);
    }
  }

  /** Our key's create revision if it exists and is the oldest candidate; undefined otherwise. */
  private async confirmOldest(key: string): Promise<string | undefined> {
    const response = await this.options.client.kv.txn({
      compare: [compare.exists(key)],
      success: [
        op.get(key),
        {
          request_range: {
            key: Buffer.from(this.electionPrefix),
            range_end: prefixRangeEnd(this.electionPrefix),
            sort_order: SortOrder.Ascend,
            sort_target: SortTarget.Create,
            limit: 1,
          },
        },
      ],
    });
    if (!response.succeeded) return undefined;
    const own = rangeResult(response, 0);
    const oldest = rangeResult(response, 1);
    if (own === undefined || oldest === undefined || !oldest.key.equals(own.key)) return undefined;
    return own.create_revision;
  }

  private armTimers(): void {
    clearInterval(this.verifyTimer);
    this.verifyTimer = setInterval(() => void this.reconfirm(), this.verifyIntervalMs);
    this.armFence();
  }

  private armFence(): void {
    const leader = this.leader;
    clearTimeout(this.fenceTimer);
    if (leader === undefined) return;
    this.fenceTimer = setTimeout(
      () => {
        if (this.leader !== leader) return;
        if (Date.now() - leader.lastConfirmedAt >= this.ttlMs) {
          void this.abandon(leader.owner, 'leadership not confirmed within the TTL');
        } else {
          this.armFence();
        }
      },
      Math.max(0, leader.lastConfirmedAt + this.ttlMs - Date.now()),
    );
  }

  private async reconfirm(): Promise<void> {
    const leader = this.leader;
    if (leader === undefined) return;
    const sentAt = Date.now();
    try {
      const response = await this.options.client.kv.txn({
        compare: [compare.createdAt(leader.guard.key, leader.guard.createRevision)],
        success: [],
      });
      if (this.leader !== leader) return;
      if (!response.succeeded) {
        await this.abandon(leader.owner, 'our election key is gone');
        return;
      }
      if (sentAt > leader.lastConfirmedAt) {
        leader.lastConfirmedAt = sentAt;
        this.armFence();
      }
    } catch (error) {
      // Not fatal by itself: the fence drops leadership if this goes on for a TTL.
      this.logger.debug('leadership confirmation failed', {
        error: messageOf(error),
      });
    }
  }

  /** Kills a campaign for good: its leadership (if any) is dropped, and a new campaign follows. */
  private async abandon(state: CampaignState, reason: string): Promise<void> {
    if (state.dead) return;
    state.dead = true;
    state.campaign.removeAllListeners('elected');
    if (this.current === state) this.current = undefined;
    const wasLeader = this.leader?.owner === state;
    if (wasLeader) {
      this.leader = undefined;
      clearInterval(this.verifyTimer);
      clearTimeout(this.fenceTimer);
      this.logger.warn('lost engine leadership', { reason });
      this.notify(false);
    } else {
      this.logger.debug('campaign abandoned', { reason });
    }
    if (!this.stopped) {
      clearTimeout(this.recampaignTimer);
      this.recampaignTimer = setTimeout(() => this.campaign(), this.recampaignDelayMs);
    }
    try {
      await state.campaign.resign();
    } catch (error) {
      // etcd unreachable: the key expires with its lease.
      this.logger.debug('resign failed', { error: messageOf(error) });
    }
  }

  private notify(isLeader: boolean): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(isLeader);
      } catch (error) {
        this.logger.error('leadership listener failed', { error: String(error) });
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
