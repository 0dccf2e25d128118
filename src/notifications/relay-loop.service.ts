import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';
import { InjectRedis } from '../redis/redis.module';
import { OutboxRelayService, RELAY_BATCH_SIZE } from './outbox-relay.service';
import { JobSchedules } from './job-schedules.service';
import { OutboxSweeper } from './outbox-sweeper.service';

/** How often the loop checks that Redis still holds its dataset (the marker key), besides on every reconnect. */
export const DATASET_CHECK_EVERY_MS = 2000;
/** The key whose absence means Redis lost its data (restarted empty, flushed, failed over to an empty replica). */
export const datasetMarkerKey = (prefix: string) => `${prefix}:dataset-marker`;

/**
 * The worker's relay loop: relays outbox batches back to back while there are any, then
 * waits OUTBOX_POLL_MS. It also makes sure the job schedulers exist, so a Redis that lost
 * its data gets them back within one sweep interval. Stops (finishing its batch) before
 * the worker shuts down.
 *
 * Recovery at the speed of the queue: the loop watches Redis. The moment the shared connection
 * is ready again after an outage, and whenever the dataset marker key has gone (Redis came back
 * without its data), it re-enqueues the whole backlog in bulk (OutboxSweeper.recover: every
 * pending row, and after a data loss every queued row too), instead of leaving it to the sweeper's
 * 1,000 rows a minute and its NOTIFY_REQUEUE_AFTER_SECONDS wait.
 */
@Injectable()
export class RelayLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastError = 0;
  private lastScheduleCheck = 0;
  private lastDatasetCheck = 0;
  /** Recovery to run at the next turn of the loop (set by a reconnect or a missing marker). */
  private recoverPending: { lostData: boolean } | null = null;
  private wasDown = false;
  private readonly onReady = () => this.redisReady();
  private readonly onClose = () => (this.wasDown = true);

  constructor(
    private readonly relay: OutboxRelayService,
    private readonly schedules: JobSchedules,
    private readonly sweeper: OutboxSweeper,
    private readonly config: AppConfig,
    @InjectRedis() private readonly redis: Redis,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.redis.on('ready', this.onReady);
    this.redis.on('close', this.onClose);
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.redis.off('ready', this.onReady);
    this.redis.off('close', this.onClose);
    this.wake?.();
    await this.loop;
  }

  private redisReady(): void {
    if (!this.wasDown) return;
    this.wasDown = false;
    this.logger.log('Redis is back: re-enqueueing the backlog now');
    this.recoverPending = { lostData: this.recoverPending?.lostData ?? false };
    this.lastDatasetCheck = 0; // and look at the dataset marker at once
    this.wake?.();
  }

  /** Whether Redis still holds this deployment's dataset marker (set again at once when missing); null when Redis cannot be asked. */
  private async checkDataset(): Promise<'kept' | 'missing' | null> {
    try {
      return (await this.redis.set(datasetMarkerKey(this.config.REDIS_PREFIX), randomUUID(), 'NX')) === 'OK' ? 'missing' : 'kept';
    } catch {
      return null;
    }
  }

  private async run(): Promise<void> {
    let firstCheck = true;
    while (this.running) {
      let full = false;
      if (Date.now() - this.lastDatasetCheck >= DATASET_CHECK_EVERY_MS) {
        const state = await this.checkDataset();
        if (state !== null) {
          this.lastDatasetCheck = Date.now();
          if (state === 'missing') {
            // At the first check this is a fresh Redis (or one emptied while no worker ran): the same cure.
            if (!firstCheck) this.logger.warn('Redis lost its data (the dataset marker has gone): re-enqueueing every pending and queued delivery now');
            this.recoverPending = { lostData: true };
            this.lastScheduleCheck = 0; // the job schedulers went with it
          }
          firstCheck = false;
        }
      }
      if (this.recoverPending) {
        const what = this.recoverPending;
        try {
          const { failed } = await this.sweeper.recover(what);
          this.recoverPending = failed ? what : null; // Redis went away again: try once more on the next turn
        } catch (err) {
          this.warn('backlog re-enqueue failed; retrying', err);
        }
      }
      try {
        full = (await this.relay.relayBatch()) >= RELAY_BATCH_SIZE;
      } catch (err) {
        this.warn('relay batch failed; retrying', err);
      }
      if (Date.now() - this.lastScheduleCheck >= Math.min(this.config.OUTBOX_SWEEP_EVERY_MS, 30_000)) {
        this.lastScheduleCheck = Date.now();
        await this.schedules.ensure().catch((err) => this.warn('could not check the job schedulers', err));
      }
      if (!full && this.running) await this.sleep(this.recoverPending ? Math.min(this.config.OUTBOX_POLL_MS, 1000) : this.config.OUTBOX_POLL_MS);
    }
  }

  private warn(message: string, err: unknown): void {
    if (Date.now() - this.lastError < 10_000) return;
    this.lastError = Date.now();
    this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}
