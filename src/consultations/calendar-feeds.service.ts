import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { AuthService } from '../auth/auth.service';
import { AuditService } from '../audit/audit.service';
import { ForumMeetingsService } from '../forum/forum-meetings.service';
import { ForumService } from '../forum/forum.service';
import { canSeeProgramme, notFound } from '../common/access/programme-access';
import { consultationCalendar } from './consultation-calendar';
import { ConsultationsService } from './consultations.service';
import { CalendarFeed } from './entities/calendar-feed.entity';
import { Consultation } from './entities/consultation.entity';
import { MilestonesService } from './milestones.service';

const ENTITY = 'calendar_feed';
export const CALENDAR_TOKEN_PREFIX = 'wttcal_';
const TOKEN = /^wttcal_[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A per-user secret URL for a consultation's calendar. The secret is shown once; only its hash is
 * kept. A revoked, unknown or malformed secret is 404, as is one whose owner has been deactivated
 * or can no longer see the consultation. The feed shows what its owner may see (milestones by audience).
 */
@Injectable()
export class CalendarFeedsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly consultations: ConsultationsService,
    private readonly milestones: MilestonesService,
    private readonly forums: ForumService,
    private readonly meetings: ForumMeetingsService,
  ) {}

  /** A new secret URL for the caller; any earlier one of theirs for this consultation stops working. */
  async create(user: AuthUser, consultationId: string): Promise<{ feed: CalendarFeed; token: string }> {
    await this.consultations.get(user, consultationId);
    const token = `${CALENDAR_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const feed = await this.db.transaction(async (em) => {
      const repo = em.getRepository(CalendarFeed);
      const old = await repo.findOne({ where: { userId: user.id, consultationId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (old) {
        await repo.update(old.id, { revokedAt: new Date() });
        await this.audit.record(em, { action: 'calendar_feed.revoke', entityType: ENTITY, entityId: old.id, before: { revokedAt: null }, after: { revokedAt: new Date() }, metadata: { replaced: true } });
      }
      const created = await repo.save(repo.create({ userId: user.id, consultationId, tokenHash: sha256(token), revokedAt: null, lastUsedAt: null }));
      await this.audit.record(em, { action: 'calendar_feed.create', entityType: ENTITY, entityId: created.id, after: { userId: user.id, consultationId } });
      return created;
    });
    return { feed, token };
  }

  async mine(user: AuthUser, consultationId: string): Promise<CalendarFeed> {
    await this.consultations.get(user, consultationId);
    const feed = await this.db.getRepository(CalendarFeed).findOneBy({ userId: user.id, consultationId, revokedAt: IsNull() });
    if (!feed) throw notFound('Calendar feed');
    return feed;
  }

  async revokeMine(user: AuthUser, consultationId: string): Promise<void> {
    const feed = await this.mine(user, consultationId);
    await this.revokeFeed(feed.id);
  }

  /** HR officers and admins: revoke anyone's feed. */
  async revoke(feedId: string): Promise<void> {
    await this.revokeFeed(feedId);
  }

  private async revokeFeed(feedId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const repo = em.getRepository(CalendarFeed);
      const feed = await repo.findOne({ where: { id: feedId }, lock: { mode: 'pessimistic_write' } });
      if (!feed || feed.revokedAt) throw notFound('Calendar feed');
      const revokedAt = new Date();
      await repo.update(feedId, { revokedAt });
      await this.audit.record(em, { action: 'calendar_feed.revoke', entityType: ENTITY, entityId: feedId, before: { revokedAt: null }, after: { revokedAt } });
    });
  }

  /** The ICS for a secret, or 404. */
  async render(token: string): Promise<string> {
    if (!TOKEN.test(token)) throw notFound('Calendar');
    const feed = await this.db.getRepository(CalendarFeed).findOneBy({ tokenHash: sha256(token), revokedAt: IsNull() });
    if (!feed) throw notFound('Calendar');
    const owner = await this.auth.loadUser(feed.userId).catch(() => null);
    const consultation = await this.db.getRepository(Consultation).findOneBy({ id: feed.consultationId });
    if (!owner || !consultation || !canSeeProgramme(owner, consultation.programmeId)) throw notFound('Calendar');
    await this.db.query(
      `UPDATE calendar_feeds SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes')`,
      [feed.id],
    );
    const forum = await this.forums.forProgramme(consultation.programmeId);
    return consultationCalendar({
      consultation,
      milestones: await this.milestones.listFor(owner, consultation.id),
      meetings: forum ? await this.meetings.forConsultation(forum.id, consultation.id) : [],
      forumTitle: forum?.title ?? null,
    });
  }
}
