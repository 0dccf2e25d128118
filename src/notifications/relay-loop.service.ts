import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OutboxRelayService, RELAY_BATCH_SIZE } from './outbox-relay.service';
import { JobSchedules } from './job-schedules.service';

/**
 * The worker's relay loop: relays outbox batches back to back while there are any, then
 * waits OUTBOX_POLL_MS. It also makes sure the job schedulers exist, so a Redis that lost
 * its data gets them back within one sweep interval. Stops (finishing its batch) before
 * the worker shuts down.
 */
@Injectable()
export class RelayLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private lastError = 0;
  private lastScheduleCheck = 0;

  constructor(
    private readonly relay: OutboxRelayService,
    private readonly schedules: JobSchedules,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        full = (await this.relay.relayBatch()) >= RELAY_BATCH_SIZE;
      } catch (err) {
        this.warn('relay batch failed; retrying', err);
      }
      if (Date.now() - this.lastScheduleCheck >= Math.min(this.config.OUTBOX_SWEEP_EVERY_MS, 30_000)) {
        this.lastScheduleCheck = Date.now();
        await this.schedules.ensure().catch((err) => this.warn('could not check the job schedulers', err));
      }
      if (!full && this.running) await this.sleep(this.config.OUTBOX_POLL_MS);
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
