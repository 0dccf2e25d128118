import { HttpStatus, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { JobProducer } from '../queue/job-producer.service';
import { bounded } from '../redis/bounded';
import { DeliveriesQuery } from './dto/delivery.dto';
import { Notification } from './entities/notification.entity';
import { CHANNEL_JOB, NotificationStatus } from './notification.types';

/** Admins: deliveries by status (failed ones with their error), and retrying a failed one. */
@Injectable()
export class DeliveriesService {
  private readonly logger = new Logger('Deliveries');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  async list(q: Pick<DeliveriesQuery, 'status' | 'limit'> & Partial<DeliveriesQuery>): Promise<{ items: Notification[]; nextCursor: string | null }> {
    const qb = this.db.getRepository(Notification).createQueryBuilder('n');
    if (q.possiblyDelivered === 'true') qb.where('n.possibly_delivered > 0');
    else qb.where('n.status = :status', { status: q.status });
    if (q.channel) qb.andWhere('n.channel = :channel', { channel: q.channel });
    if (q.cursor) qb.andWhere('n.seq < :cursor', { cursor: q.cursor });
    const rows = await qb.orderBy('n.seq', 'DESC').limit(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].seq) : null };
  }

  async get(id: string): Promise<Notification> {
    const row = await this.db.getRepository(Notification).findOneBy({ id });
    if (!row) throw new NotFoundException('Delivery not found');
    return row;
  }

  /**
   * Put a failed delivery back on its queue (same job id: the finished job is removed first).
   * If the queue cannot take it now, the row is queued all the same and the sweeper enqueues it.
   */
  async retry(id: string): Promise<Notification> {
    const row = await this.db.transaction(async (em) => {
      const [locked]: { status: NotificationStatus; last_error: string | null; attempts: number }[] = await em.query(
        `SELECT status, last_error, attempts FROM notifications WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!locked) throw new NotFoundException('Delivery not found');
      if (locked.status !== NotificationStatus.Failed) {
        throw new ApiException(HttpStatus.CONFLICT, `Only a failed delivery can be retried (this one is ${locked.status})`, [
          { field: 'status', reason: `is ${locked.status}, not failed` },
        ], { currentStatus: locked.status });
      }
      // Its job is now the one named by the row id (below).
      await em.query(`UPDATE notifications SET status = 'queued', failed_at = NULL, queued_at = clock_timestamp(), job_id = id::text WHERE id = $1`, [id]);
      await this.audit.record(em, {
        action: 'notification.retry',
        entityType: 'notification',
        entityId: id,
        before: { status: locked.status, lastError: locked.last_error },
        after: { status: NotificationStatus.Queued, lastError: locked.last_error },
        metadata: { attemptsSoFar: locked.attempts },
      });
      return em.getRepository(Notification).findOneByOrFail({ id });
    });
    const job = CHANNEL_JOB[row.channel];
    try {
      // A request path: a Redis that does not answer must not hold the admin's request (the row is queued; the sweeper enqueues it).
      await bounded(
        (async () => {
          await this.producer.removeJob(job, id);
          await this.producer.enqueue({ name: job, data: { notificationId: id } }, { jobId: id });
        })(),
        this.config.REDIS_COMMAND_TIMEOUT_MS * 2,
      );
    } catch (err) {
      this.logger.warn({ notificationId: id, err: err instanceof Error ? err.message : String(err) }, 'retry not enqueued now; the sweeper will enqueue it');
    }
    return row;
  }
}
