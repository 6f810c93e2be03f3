import type { Logger } from '@fleet/core';
import type { IKeyValue, Watcher } from 'etcd3';
import type { EtcdClient } from './etcd-client.js';
import { nextRevision } from './etcd-ops.js';
import { toRegistryError } from './errors.js';
import type { RegistryWatch, ResyncReason } from './registry.js';

export interface PrefixWatchOptions<E> {
  readonly client: EtcdClient;
  readonly prefix: string;
  /** Deliver events with a revision above this one; undefined: from now. */
  readonly afterRevision: string | undefined;
  readonly logger: Logger;
  readonly handler: { onEvent(event: E): void; onResync(reason: ResyncReason): void };
  /** Turn a raw event into what the handler takes; undefined skips it (foreign or corrupt record). */
  readonly decodePut: (kv: IKeyValue) => E | undefined;
  readonly decodeDelete: (kv: IKeyValue) => E | undefined;
}

const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 5_000;
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * One etcd watch on a prefix. etcd3 reconnects by itself and resumes from the last revision,
 * but we do not trust the gap: after a reconnection the handler is told to resync. If etcd
 * cancels the watch (a compacted start revision), it is restarted from now, with a resync.
 */
export class PrefixWatch<E> implements RegistryWatch {
  private watcher: Watcher | undefined;
  private closed = false;
  private disconnected = false;

  private readonly prefix: string;
  private readonly afterRevision: string | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: PrefixWatchOptions<E>) {
    this.prefix = options.prefix;
    this.afterRevision = options.afterRevision;
    this.logger = options.logger;
  }

  async start(): Promise<void> {
    try {
      await this.open(this.afterRevision);
      return;
    } catch (error) {
      // etcd cancels a watch whose start revision was compacted (with no reason given): the
      // history is gone, so watch from now and let the consumer resync.
      if (this.afterRevision === undefined) throw toRegistryError(error, `watch ${this.prefix}`);
      this.logger.warn('watch from a past revision refused; watching from now', {
        afterRevision: this.afterRevision,
        error: messageOf(error),
      });
    }
    try {
      await this.open(undefined);
    } catch (error) {
      throw toRegistryError(error, `watch ${this.prefix}`);
    }
    this.notifyResync('restarted');
  }

  async close(): Promise<void> {
    this.closed = true;
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher === undefined) return;
    // etcd3 waits for etcd to confirm the cancel; don't let a dead connection hang shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      watcher.cancel().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }

  private open(afterRevision: string | undefined): Promise<Watcher> {
    let builder = this.options.client.watch().prefix(this.prefix);
    if (afterRevision !== undefined) builder = builder.startRevision(nextRevision(afterRevision));
    // Made current and listened to before it attaches: events may come in the tick of 'connected'.
    const watcher = builder.watcher();
    this.watcher = watcher;
    watcher.on('put', (kv) => this.deliver(watcher, this.options.decodePut(kv)));
    watcher.on('delete', (kv) => this.deliver(watcher, this.options.decodeDelete(kv)));
    watcher.on('disconnected', (error) => {
      if (watcher !== this.watcher) return;
      this.disconnected = true;
      this.logger.warn('watch disconnected', { error: error.message });
    });
    watcher.on('connected', () => {
      if (watcher !== this.watcher || !this.disconnected) return;
      this.disconnected = false;
      this.logger.info('watch reconnected; asking for a resync');
      this.notifyResync('reconnected');
    });
    return new Promise<Watcher>((resolve, reject) => {
      const onError = (error: Error): void => {
        // etcd cancelled it and etcd3 has already dropped it: cancelling again would send a
        // cancel for an unknown watch id, whose answer etcd3 throws on.
        watcher.off('connected', onConnected);
        if (this.watcher === watcher) this.watcher = undefined;
        reject(error);
      };
      const onConnected = (): void => {
        watcher.off('error', onError);
        watcher.on('error', (error) => this.onCancelled(watcher, error));
        resolve(watcher);
      };
      watcher.once('error', onError);
      watcher.once('connected', onConnected);
    });
  }

  private deliver(watcher: Watcher, event: E | undefined): void {
    if (this.closed || watcher !== this.watcher || event === undefined) return;
    try {
      this.options.handler.onEvent(event);
    } catch (error) {
      this.logger.error('watch handler failed', { error: messageOf(error) });
    }
  }

  private notifyResync(reason: ResyncReason): void {
    if (this.closed) return;
    try {
      this.options.handler.onResync(reason);
    } catch (error) {
      this.logger.error('watch resync handler failed', {
        error: messageOf(error),
      });
    }
  }

  private onCancelled(watcher: Watcher, error: Error): void {
    if (this.closed || watcher !== this.watcher) return;
    this.logger.warn('watch cancelled by etcd; restarting from now', { error: error.message });
    this.watcher = undefined; // already dropped by etcd3; see open()
    void this.restart();
  }

  private async restart(): Promise<void> {
    let delayMs = RESTART_DELAY_MS;
    while (!this.closed) {
      try {
        this.disconnected = false;
        const watcher = await this.open(undefined);
        if (this.closed) {
          await watcher.cancel().catch(() => undefined);
          return;
        }
        this.notifyResync('restarted');
        return;
      } catch (error) {
        this.logger.warn('watch restart failed; retrying', {
          error: messageOf(error),
        });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        delayMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
