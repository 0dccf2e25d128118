import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { FeedQuery } from './dto/feed.dto';
import { NotificationFeedItem } from './entities/notification-feed-item.entity';

/** The caller's own in-app feed: nobody reads or marks anyone else's (another user's item is 404). */
@Injectable()
export class NotificationFeedService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(user: AuthUser, q: FeedQuery): Promise<{ items: NotificationFeedItem[]; unreadCount: number; nextCursor: string | null }> {
    const qb = this.db.getRepository(NotificationFeedItem).createQueryBuilder('f').where('f.user_id = :userId', { userId: user.id });
    if (q.unread === true) qb.andWhere('f.read_at IS NULL');
    if (q.unread === false) qb.andWhere('f.read_at IS NOT NULL');
    if (q.cursor) qb.andWhere('f.seq < :cursor', { cursor: q.cursor });
    const rows = await qb.orderBy('f.seq', 'DESC').limit(q.limit + 1).getMany();
    const items = rows.slice(0, q.limit);
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM notification_feed WHERE user_id = $1 AND read_at IS NULL`, [user.id]);
    return { items, unreadCount: n, nextCursor: rows.length > q.limit ? String(items[items.length - 1].seq) : null };
  }

  /** The caller's unread count (the header's badge). */
  async unreadCount(user: AuthUser): Promise<number> {
    const [{ n }]: { n: number }[] = await this.db.query(`SELECT count(*)::int AS n FROM notification_feed WHERE user_id = $1 AND read_at IS NULL`, [user.id]);
    return n;
  }

  async markRead(user: AuthUser, id: string): Promise<NotificationFeedItem> {
    return this.db.transaction(async (em) => {
      const repo = em.getRepository(NotificationFeedItem);
      const item = await repo.findOneBy({ id, userId: user.id });
      if (!item) throw new NotFoundException('Notification not found');
      if (item.readAt) return item;
      await em.query(`UPDATE notification_feed SET read_at = greatest(now(), created_at) WHERE id = $1 AND read_at IS NULL`, [id]);
      const after = await repo.findOneByOrFail({ id });
      await this.audit.record(em, { action: 'notification.read', entityType: 'notification_feed', entityId: id, before: { readAt: null }, after: { readAt: after.readAt } });
      return after;
    });
  }

  async markAllRead(user: AuthUser): Promise<number> {
    return this.db.transaction(async (em) => {
      const rows: { id: string }[] = await em.query(
        `WITH marked AS (UPDATE notification_feed SET read_at = greatest(now(), created_at) WHERE user_id = $1 AND read_at IS NULL RETURNING id)
         SELECT id FROM marked`,
        [user.id],
      );
      if (rows.length) {
        await this.audit.record(em, { action: 'notification.read_all', entityType: 'user', entityId: user.id, metadata: { marked: rows.length } });
      }
      return rows.length;
    });
  }
}
