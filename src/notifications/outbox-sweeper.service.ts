import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { EMAIL_BATCH_JOB_PREFIX, JobName } from '../queue/queue.contract';
import { CHANNEL_JOB, NotificationChannel } from './notification.types';
import { OutboxRelayService, RELAY_BATCH_SIZE } from './outbox-relay.service';

const ALIVE = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const SWEEP_LIMIT = 1000;
/** A row still pending this long after it was written missed its enqueue (the relay enqueues right after its commit). */
const PENDING_GRACE_SECONDS = 10;

/** Rows read per query when the whole backlog is re-enqueued at once (RECOVER). */
export const RECOVER_CHUNK = 5000;

export interface RecoverResult {
  /** Rows put back on their queues (ids BullMQ already held count: adding them again is a no-op). */
  enqueued: number;
  /** Rows that could not be enqueued (Redis went away again); the sweeper gets them later. */
  failed: number;
}

export interface SweepResult {
  relayed: number;
  checked: number;
  requeued: number;
}

/**
 * The safety net behind the relay. It relays events the relay loops have not reached, then
 * looks at every delivery still pending 10 s after it was written (its enqueue failed, e.g.
 * Redis was down, or it is waiting behind a backlog: the relay does not mark its rows queued) or
 * queued for longer than NOTIFY_REQUEUE_AFTER_SECONDS, asking BullMQ once per job:
 * one whose job is still waiting or running is marked queued (looked at again one interval
 * later); one whose job is missing (Redis lost it, or the enqueue after the commit failed) or
 * finished without the row being sent (a worker died at the wrong moment) is enqueued again
 * under the same job id.
 */
@Injectable()
export class OutboxSweeper {
  private readonly logger = new Logger('OutboxSweeper');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly relay: OutboxRelayService,
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  /**
   * Re-enqueue the whole backlog at once, in bulk (RECOVER_CHUNK rows a query, one addBulk per
   * 1,000 jobs), without the per-row job-state checks of the sweep: every pending row (its enqueue
   * failed while Redis was away), and with `lostData` every queued row too (Redis came back
   * empty: their jobs are gone). Adding a job id BullMQ still holds is a no-op, and a job for a row
   * already sent skips, so running this too often costs Redis round trips, never a duplicate.
   * Called by RelayLoop the moment Redis is back.
   */
  async recover(opts: { lostData: boolean }): Promise<RecoverResult> {
    const statuses = opts.lostData ? ['pending', 'queued'] : ['pending'];
    let cursor = '0';
    let enqueued = 0;
    let failed = 0;
    for (;;) {
      const rows: { id: string; channel: NotificationChannel; job_id: string | null; seq: string }[] = await this.db.query(
        `SELECT id, channel, job_id, seq FROM notifications WHERE status = ANY ($1::text[]) AND seq > $2::bigint ORDER BY seq LIMIT $3`,
        [statuses, cursor, RECOVER_CHUNK],
      );
      if (!rows.length) break;
      cursor = rows[rows.length - 1].seq;
      const ok = await this.relay.enqueue(rows);
      enqueued += ok;
      failed += rows.length - ok;
      if (rows.length < RECOVER_CHUNK) break;
    }
    this.logger.log({ enqueued, failed, lostData: opts.lostData }, 'backlog re-enqueued after Redis came back');
    return { enqueued, failed };
  }

  async sweep(): Promise<SweepResult> {
    let relayed = 0;
    for (let i = 0; i < 50; i++) {
      const n = await this.relay.relayBatch();
      relayed += n;
      if (n < RELAY_BATCH_SIZE) break;
    }

    const stale: { id: string; channel: NotificationChannel; job_id: string | null }[] = await this.db.query(
      `SELECT id, channel, job_id FROM notifications
       WHERE status IN ('pending', 'queued')
         AND coalesce(queued_at, created_at) < clock_timestamp() - make_interval(secs => CASE status WHEN 'pending' THEN least($1::int, $3::int) ELSE $1::int END)
       ORDER BY coalesce(queued_at, created_at) LIMIT $2`,
      [this.config.NOTIFY_REQUEUE_AFTER_SECONDS, SWEEP_LIMIT, PENDING_GRACE_SECONDS],
    );
    const alive: string[] = [];
    const again: typeof stale = [];
    // One question to BullMQ per job, not per row (a batch job carries up to 100 rows).
    const states = new Map<string, Promise<string>>();
    for (const row of stale) {
      // The job that carries the row: an email row's batch job (job_id), or the job named by the row id (an admin's retry, older rows).
      const job = row.job_id?.startsWith(EMAIL_BATCH_JOB_PREFIX) ? JobName.DeliverEmailBatch : CHANNEL_JOB[row.channel];
      const jobId = row.job_id ?? row.id;
      let asked = states.get(`${job}/${jobId}`);
      if (!asked) {
        asked = this.producer.jobState(job, jobId).then(async (state) => {
          if (state === 'completed' || state === 'failed') await this.producer.removeJob(job, jobId);
          return state;
        });
        states.set(`${job}/${jobId}`, asked);
      }
      if (ALIVE.has(await asked)) alive.push(row.id);
      else again.push(row);
    }
    // Still on its way: look again one interval later rather than on every sweep.
    if (alive.length) await this.relay.markQueued(alive.map((id) => ({ id })));
    const requeued = await this.relay.enqueue(again);
    if (requeued || relayed) this.logger.log({ relayed, requeued, checked: stale.length }, 'sweep');
    return { relayed, checked: stale.length, requeued };
  }
}
