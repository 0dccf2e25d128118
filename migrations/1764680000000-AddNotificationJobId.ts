import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The BullMQ job that carries a notifications row: an email row goes out in a batch job of up to
 * 100 rows (`emails-<sha1 of its row ids>`, src/queue/queue.contract.ts deliveryJobs), so its job
 * id is not its row id. The relay and the sweeper record it when they enqueue the row, and the
 * sweeper asks BullMQ about that job before it enqueues a stale row again. Without it, the sweeper
 * asked about a job named by the row id, never found one for an email row, and enqueued every
 * email row queued for longer than NOTIFY_REQUEUE_AFTER_SECONDS again, even while its batch job
 * was waiting or retrying (an SMTP outage then used up the row's attempts early). NULL for rows
 * enqueued before this column: the sweeper falls back to the row id.
 */
export class AddNotificationJobId1764680000000 implements MigrationInterface {
  name = 'AddNotificationJobId1764680000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications ADD COLUMN job_id text CHECK (job_id IS NULL OR length(job_id) BETWEEN 1 AND 200)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications DROP COLUMN job_id`);
  }
}
