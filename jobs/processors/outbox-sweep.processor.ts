import { Injectable } from '@nestjs/common';
import { OutboxSweeper, SweepResult } from '../../src/notifications/outbox-sweeper.service';
import { JobName } from '../../src/queue/queue.contract';
import { JobProcessor } from '../job-processor';

/** Runs every OUTBOX_SWEEP_EVERY_MS (a BullMQ job scheduler): relays stragglers, re-enqueues stale deliveries. */
@Injectable()
export class OutboxSweepProcessor implements JobProcessor<JobName.OutboxSweep> {
  readonly jobName = JobName.OutboxSweep;

  constructor(private readonly sweeper: OutboxSweeper) {}

  process(): Promise<SweepResult> {
    return this.sweeper.sweep();
  }
}
