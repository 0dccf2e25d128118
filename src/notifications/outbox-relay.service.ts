import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { JobProducer } from '../queue/job-producer.service';
import { deliveryJobs } from '../queue/queue.contract';
import { OutboxRow as OutboxEvent, recordedEvent } from '../events/domain-event';
import { NoticeRenderer } from './notice-renderer.service';
import { NotificationChannel } from './notification.types';
import { RecipientsService } from './recipients.service';
import { withoutPersonalData } from './templates';

/**
 * Events per relay transaction. Small enough that the first deliveries are on their way while
 * the relay is still fanning out the next events (20 events of 100 recipients each: 2,000 rows
 * a batch); each batch still writes its rows with one INSERT per 1,000 and enqueues them with
 * one addBulk per channel.
 */
export const RELAY_BATCH_SIZE = 20;

/** Events of a relay batch fanned out at once (each reads its recipients and names on a pooled connection of its own). */
const FAN_OUT_CONCURRENCY = 4;

/** Rows per "mark queued" statement (one email batch job's worth). */
const MARK_QUEUED_ROWS = 100;

/** What a notice says, shared by every row of the event that gets the same text on the same channel. */
interface NoticeContent {
  eventId: string;
  eventType: string;
  occurredAt: Date;
  programmeId: string | null;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  payload: Record<string, unknown> | null;
}

interface NewNotification {
  id: string;
  recipientKey: string;
  channel: NotificationChannel;
  userId: string | null;
  webhookId: string | null;
  address: string | null;
  /** One object for all the rows that say the same (the INSERT sends each content once). */
  content: NoticeContent;
  /** The job that will carry the row (deliveryJobs), written with it. */
  jobId?: string;
}

export interface Enqueueable {
  id: string;
  channel: NotificationChannel;
  /** The job the row was written or last queued with: enqueued again under the same id (deliveryJobs). */
  job_id?: string | null;
}

/**
 * The outbox relay. In one transaction per batch it takes undispatched domain events
 * (FOR UPDATE SKIP LOCKED, so any number of workers share the work), writes one
 * notifications row per event x recipient x channel (the unique key makes a replay a no-op)
 * and marks the events dispatched. Each row is written pending with the id of the job that will
 * carry it (`job_id`: an email batch job of the notice's rows, or the row's own id); after the
 * commit the jobs are enqueued under those ids. A row whose enqueue fails stays pending and the
 * sweeper (10 s on) or the relay loop (the moment Redis is back) enqueues it again under the same id.
 * The rows are not rewritten "queued" after the enqueue: that UPDATE was a quarter of PostgreSQL's
 * work per email (issue 20, docs/benchmarks.md). A row turns queued when an attempt at it fails
 * (it is then waiting on its job's retry), or when the sweeper finds it still waiting on a job
 * BullMQ holds; a row sent at the first attempt goes from pending to sent.
 */
@Injectable()
export class OutboxRelayService {
  private readonly logger = new Logger('OutboxRelay');
  private lastEnqueueWarning = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly notices: NoticeRenderer,
    private readonly recipients: RecipientsService,
    private readonly producer: JobProducer,
  ) {}

  /** Relay one batch; returns how many events it dispatched. */
  async relayBatch(limit = RELAY_BATCH_SIZE): Promise<number> {
    const { dispatched, created } = await this.db.transaction(async (em) => {
      const events: OutboxEvent[] = await em.query(
        `SELECT id, type, programme_id, entity_type, entity_id, payload, occurred_at
         FROM domain_events WHERE dispatched_at IS NULL
         ORDER BY occurred_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (!events.length) return { dispatched: 0, created: [] as Enqueueable[] };
      const rows: NewNotification[] = [];
      const byId = new Map<string, NewNotification>();
      const done: string[] = [];
      // The fan-out only reads (recipients, names for the personal notice), so it runs on the pool, not in this
      // transaction, FAN_OUT_CONCURRENCY events at a time: a batch's reads overlap instead of taking ~4 round trips an
      // event in turn, with a savepoint around each (issue 20: the relay, not the deliveries, set the pace). An event
      // whose fan-out fails stays undispatched (and is logged) without holding back the rest of the batch. Events of one
      // batch that ask the same (the HR officers, a programme's forum) ask PostgreSQL once (sharedReads).
      const reads = sharedReads(this.db.manager);
      const fanned = await mapLimit(events, FAN_OUT_CONCURRENCY, (e) => this.fanOut(reads, e).then((out) => ({ out }), (err: unknown) => ({ err })));
      events.forEach((e, i) => {
        const r = fanned[i];
        if ('err' in r) {
          this.logger.error({ eventId: e.id, type: e.type, err: r.err instanceof Error ? r.err.message : String(r.err) }, 'event could not be fanned out; it stays in the outbox');
          return;
        }
        for (const row of r.out) {
          rows.push(row);
          byId.set(row.id, row);
        }
        done.push(e.id);
      });
      // Each row's job is planned before it is written, so the row carries its job id from birth.
      for (const job of deliveryJobs(rows)) for (const id of job.rowIds) byId.get(id)!.jobId = job.jobId;
      const created = await this.insert(em, rows);
      if (done.length) await em.query(`UPDATE domain_events SET dispatched_at = clock_timestamp() WHERE id = ANY ($1::uuid[])`, [done]);
      return { dispatched: done.length, created };
    });
    await this.enqueue(created, { markQueued: false });
    return dispatched;
  }

  /**
   * Put rows on their channel's queue (email rows in batch jobs of up to 100, under the job id the
   * row names or one made from the row ids, others a job each under the row id; so adding a job
   * BullMQ already holds is a no-op: deliveryJobs in src/queue/queue.contract.ts) and, unless told
   * not to (the relay's own rows, written with their job id), mark the ones that made it queued
   * (now). JobProducer.enqueueMany adds them with one addBulk per channel: one Redis round trip for
   * a whole batch.
   */
  async enqueue(rows: Enqueueable[], opts: { markQueued: boolean } = { markQueued: true }): Promise<number> {
    if (!rows.length) return 0;
    // Email rows go in batch jobs (issue 20: one job per notice's recipients, not one per email).
    const jobs = deliveryJobs(rows);
    const { enqueued, error: failure } = await this.producer.enqueueMany(jobs.map(({ item, jobId }) => ({ item, jobId })));
    const added = new Set(enqueued);
    const ok = jobs.filter((j) => added.has(j.jobId));
    const queued = ok.reduce((n, j) => n + j.rowIds.length, 0);
    if (failure && Date.now() - this.lastEnqueueWarning > 10_000) {
      this.lastEnqueueWarning = Date.now();
      this.logger.warn(
        { failed: rows.length - queued, err: failure instanceof Error ? failure.message : String(failure) },
        'could not enqueue deliveries; they stay pending and the sweeper enqueues them',
      );
    }
    if (ok.length && opts.markQueued) await this.markQueued(ok.flatMap((j) => j.rowIds.map((id) => ({ id, jobId: j.jobId }))));
    return queued;
  }

  /**
   * Mark rows queued (now) on their job (`job_id`, which the sweeper asks BullMQ about), in
   * statements of MARK_QUEUED_ROWS rows. A row locked right now is skipped rather than waited
   * for: its delivery is already running (claiming it or marking it sent), and "queued" only tells
   * the sweeper when to look at the row again. So this statement never waits for a row lock and
   * can never be part of a deadlock with the deliveries (test: notifications-faults.int-spec.ts);
   * and, short, it holds its own row locks only briefly, so a delivery that claims or marks the same
   * rows the moment their job starts waits for at most one such statement (one statement for a
   * relay batch of 2,000 rows held them for about 0.3 s on the bench, and the deliveries' claims
   * and marks waited as long: docs/benchmarks.md). Without a job id, the row keeps the one it has.
   */
  async markQueued(rows: { id: string; jobId?: string }[]): Promise<void> {
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (let i = 0; i < sorted.length; i += MARK_QUEUED_ROWS) {
      const chunk = sorted.slice(i, i + MARK_QUEUED_ROWS);
      await this.db.query(
        `UPDATE notifications n SET status = 'queued', queued_at = clock_timestamp(), job_id = coalesce(v.job_id, n.job_id)
         FROM unnest($1::uuid[], $2::text[]) AS v(id, job_id)
         WHERE n.id = v.id
           AND n.id IN (SELECT id FROM notifications WHERE id = ANY ($1::uuid[]) AND status IN ('pending', 'queued') FOR UPDATE SKIP LOCKED)`,
        [chunk.map((r) => r.id), chunk.map((r) => r.jobId ?? null)],
      );
    }
  }

  private async fanOut(em: EntityManager, e: OutboxEvent): Promise<NewNotification[]> {
    // The notice is written from the event alone: the facts of the moment it happened.
    const event = recordedEvent(e);
    const { programmeName } = event;
    const data = event.payload as unknown as Record<string, unknown>;
    const recipients = await this.recipients.resolve(em, { type: e.type, programmeId: e.programme_id, data });
    const personal = await this.notices.render(em, event, { personal: true });
    const restricted = await this.notices.render(em, event, { personal: false });
    const out: NewNotification[] = [];
    const event$ = { eventId: e.id, eventType: e.type, occurredAt: e.occurred_at, programmeId: e.programme_id };
    // The content of each (notice, channel), made once: every row that says the same shares it.
    const contents = new Map<string, NoticeContent>();
    const contentOf = (notice: typeof personal, channel: NotificationChannel): NoticeContent => {
      const key = `${notice === personal ? 'personal' : 'restricted'}/${channel}`;
      let c = contents.get(key);
      if (!c) {
        const email = channel === NotificationChannel.Email;
        c = {
          ...event$,
          subject: notice.subject,
          bodyText: notice.text,
          bodyHtml: email ? notice.html : null,
          // An email's calendar invitation (a meeting notice), attached by the email channel.
          payload: email && notice.calendar ? { calendar: notice.calendar } : null,
        };
        contents.set(key, c);
      }
      return c;
    };
    for (const r of recipients) {
      const notice = r.personal ? personal : restricted;
      for (const channel of r.channels) {
        const id = randomUUID();
        if (channel === NotificationChannel.Webhook && r.webhook) {
          out.push({
            id,
            recipientKey: r.key,
            channel,
            userId: null,
            webhookId: r.webhook.id,
            address: r.webhook.url,
            content: {
              ...event$,
              subject: restricted.subject,
              bodyText: restricted.text,
              bodyHtml: null,
              // What the integration receives; never personal data (a channel may be seen by anyone).
              payload: {
                deliveryId: id,
                event: { id: e.id, type: e.type, occurredAt: e.occurred_at.toISOString(), programmeId: e.programme_id, programmeName, entityType: e.entity_type, entityId: e.entity_id },
                subject: restricted.subject,
                text: restricted.text,
                data: withoutPersonalData(data) as Record<string, unknown>,
              },
            },
          });
        } else {
          out.push({
            id,
            recipientKey: r.key,
            channel,
            userId: r.userId,
            webhookId: null,
            address: channel === NotificationChannel.Email ? r.email : null,
            content: contentOf(notice, channel),
          });
        }
      }
    }
    return out;
  }

  /**
   * Write the rows, 1,000 a statement: each row's own columns, and each distinct content (event,
   * subject, bodies, payload) once, joined in by its index. A programme-wide notice's 1,000 rows
   * carried 1,000 copies of its 1.4 KB text to PostgreSQL (1.4 MB a statement, escaped into array
   * literals by the driver and parsed back by the server); now one. Rows go in the order given.
   */
  private async insert(em: EntityManager, rows: NewNotification[]): Promise<Enqueueable[]> {
    const created: Enqueueable[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const col = <K extends keyof NewNotification>(k: K) => chunk.map((r) => r[k]);
      const index = new Map<NoticeContent, number>();
      const contents: NoticeContent[] = [];
      const at = chunk.map((r) => {
        let n = index.get(r.content);
        if (n === undefined) {
          n = contents.push(r.content);
          index.set(r.content, n);
        }
        return n;
      });
      const of = <K extends keyof NoticeContent>(k: K) => contents.map((c) => c[k]);
      const inserted: Enqueueable[] = await em.query(
        `INSERT INTO notifications (id, event_id, event_type, event_occurred_at, programme_id, recipient_key, channel, user_id,
                                    webhook_subscription_id, address, subject, body_text, body_html, payload, job_id)
         SELECT r.id, c.event_id, c.event_type, c.event_occurred_at, c.programme_id, r.recipient_key, r.channel, r.user_id,
                r.webhook_subscription_id, r.address, c.subject, c.body_text, c.body_html, c.payload, r.job_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::int[])
                WITH ORDINALITY AS r(id, recipient_key, channel, user_id, webhook_subscription_id, address, job_id, content, ord)
         JOIN unnest($9::uuid[], $10::text[], $11::timestamptz[], $12::uuid[], $13::text[], $14::text[], $15::text[], $16::jsonb[])
                WITH ORDINALITY AS c(event_id, event_type, event_occurred_at, programme_id, subject, body_text, body_html, payload, n)
           ON c.n = r.content
         ORDER BY r.ord
         ON CONFLICT (event_id, recipient_key, channel) DO NOTHING
         RETURNING id, channel, job_id`,
        [
          col('id'), col('recipientKey'), col('channel'), col('userId'), col('webhookId'), col('address'), chunk.map((r) => r.jobId ?? null), at,
          of('eventId'), of('eventType'), of('occurredAt'), of('programmeId'), of('subject'), of('bodyText'), of('bodyHtml'),
          contents.map((c) => (c.payload ? JSON.stringify(c.payload) : null)),
        ],
      );
      created.push(...inserted);
    }
    return created;
  }
}

/** `fn` over `items`, at most `limit` at a time; the results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * The entity manager for one relay batch's fan-out reads: a query asked again with the same
 * parameters (twenty forum events of one programme each ask for its forum) gets the answer of the
 * first asking, in flight or done, as a fresh array (callers may add to it). The reads of a batch
 * are taken at one moment either way; everything but `query` is the manager's own.
 */
export function sharedReads(manager: EntityManager): EntityManager {
  const asked = new Map<string, Promise<unknown>>();
  const query = (sql: string, params?: unknown[]): Promise<unknown> => {
    const key = `${sql}\u0000${JSON.stringify(params ?? [])}`;
    let answer = asked.get(key);
    if (!answer) {
      answer = manager.query(sql, params);
      asked.set(key, answer);
      answer.catch(() => asked.delete(key));
    }
    return answer.then((rows) => (Array.isArray(rows) ? rows.slice() : rows));
  };
  return new Proxy(manager, { get: (target, prop, receiver) => (prop === 'query' ? query : Reflect.get(target, prop, receiver)) });
}
