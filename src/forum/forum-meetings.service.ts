import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { notFound, unprocessable, wrongState } from '../common/access/programme-access';
import { todayInLondon } from '../common/dates';
import { DomainEvent, DomainEventType, MeetingChange } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { CancelMeetingDto, CreateActionDto, CreateMeetingDto, ListMeetingsQuery, MinutesDto, UpdateActionDto, UpdateMeetingDto } from './dto/meeting.dto';
import { Forum } from './entities/forum.entity';
import { ForumAction, ForumActionStatus } from './entities/forum-action.entity';
import { ForumMeeting, ForumMeetingStatus, MeetingPaper } from './entities/forum-meeting.entity';
import { assertVersion } from '../common/errors/stale-version';

const MEETING = 'forum_meeting';
const ACTION = 'forum_action';

function snapshot<T extends { createdAt: Date; updatedAt: Date }>(e: T): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = e;
  return { ...rest };
}

/** Fields a change to which is news for the people invited (and moves the calendar entry). */
const NOTIFIED_FIELDS = ['title', 'startsAt', 'endsAt', 'location'] as const;

/** Meetings of the forum, their minutes and the actions agreed at them. */
@Injectable()
export class ForumMeetingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  // --- reading -----------------------------------------------------------------------------

  async list(forumId: string, q: ListMeetingsQuery): Promise<ForumMeeting[]> {
    const qb = this.db.getRepository(ForumMeeting).createQueryBuilder('m').where('m.forum_id = :forumId', { forumId }).orderBy('m.starts_at').addOrderBy('m.id');
    if (q.status) qb.andWhere('m.status = :status', { status: q.status });
    if (q.consultationId) qb.andWhere('(m.consultation_id = :cid OR m.consultation_id IS NULL)', { cid: q.consultationId });
    return qb.getMany();
  }

  async get(id: string): Promise<ForumMeeting | null> {
    return this.db.getRepository(ForumMeeting).findOneBy({ id });
  }

  /** Meetings relevant to a consultation: those about it and those about the forum in general. */
  async forConsultation(forumId: string, consultationId: string, em: EntityManager = this.db.manager): Promise<ForumMeeting[]> {
    return em
      .getRepository(ForumMeeting)
      .createQueryBuilder('m')
      .where('m.forum_id = :forumId AND (m.consultation_id = :cid OR m.consultation_id IS NULL)', { forumId, cid: consultationId })
      .orderBy('m.starts_at')
      .addOrderBy('m.id')
      .getMany();
  }

  async actions(forumId: string, status?: ForumActionStatus, consultationId?: string, em: EntityManager = this.db.manager): Promise<ForumAction[]> {
    const qb = em
      .getRepository(ForumAction)
      .createQueryBuilder('a')
      .innerJoin(ForumMeeting, 'm', 'm.id = a.meeting_id')
      .where('m.forum_id = :forumId', { forumId })
      .orderBy('a.due_date')
      .addOrderBy('a.id');
    if (status) qb.andWhere('a.status = :status', { status });
    if (consultationId) qb.andWhere('(m.consultation_id = :cid OR m.consultation_id IS NULL)', { cid: consultationId });
    return qb.getMany();
  }

  async meetingActions(meetingId: string): Promise<ForumAction[]> {
    return this.db.getRepository(ForumAction).find({ where: { meetingId }, order: { dueDate: 'ASC', id: 'ASC' } });
  }

  async getAction(id: string): Promise<ForumAction | null> {
    return this.db.getRepository(ForumAction).findOneBy({ id });
  }

  // --- meetings ---------------------------------------------------------------------------

  async create(forumId: string, dto: CreateMeetingDto): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const forum = await em.getRepository(Forum).findOneBy({ id: forumId });
      if (!forum) throw notFound('Forum');
      checkTimes(dto.startsAt, dto.endsAt);
      if (dto.consultationId) await this.checkConsultation(em, forum, dto.consultationId);
      const repo = em.getRepository(ForumMeeting);
      const m = await repo.save(
        repo.create({
          forumId,
          consultationId: dto.consultationId ?? null,
          title: dto.title,
          startsAt: new Date(dto.startsAt),
          endsAt: new Date(dto.endsAt),
          location: dto.location,
          agenda: dto.agenda ?? null,
          papers: papers(dto.papers),
          minutes: null,
          minutesPublishedAt: null,
          status: ForumMeetingStatus.Scheduled,
          cancellationReason: null,
          sequence: 0,
          version: 1,
        }),
      );
      await this.audit.record(em, { action: 'forum_meeting.create', entityType: MEETING, entityId: m.id, after: snapshot(m) });
      await this.emit(em, forum, m, { type: DomainEventType.ForumMeetingScheduled, payload: {} });
      return repo.findOneByOrFail({ id: m.id });
    });
  }

  async update(id: string, dto: UpdateMeetingDto): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const { meeting: m, forum } = await this.lock(em, id);
      assertVersion('Meeting', { current: m.version, given: dto.version });
      if (m.status !== ForumMeetingStatus.Scheduled) throw wrongState(`Only a scheduled meeting can be changed; this one is ${m.status}`);
      const before = snapshot(m);
      const startsAt = dto.startsAt ?? m.startsAt.toISOString();
      const endsAt = dto.endsAt ?? m.endsAt.toISOString();
      checkTimes(startsAt, endsAt);
      if (dto.consultationId) await this.checkConsultation(em, forum, dto.consultationId);
      const next = {
        title: dto.title ?? m.title,
        startsAt: new Date(startsAt),
        endsAt: new Date(endsAt),
        location: dto.location ?? m.location,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const f of NOTIFIED_FIELDS) {
        const from = m[f] instanceof Date ? (m[f] as Date).toISOString() : m[f];
        const to = next[f] instanceof Date ? (next[f] as Date).toISOString() : next[f];
        if (from !== to) changes[f] = { from, to };
      }
      const agendaChanged = dto.agenda !== undefined && dto.agenda !== m.agenda;
      const newPapers = dto.papers ? papers(dto.papers) : m.papers;
      const papersChanged = JSON.stringify(newPapers) !== JSON.stringify(m.papers);
      Object.assign(m, next, {
        agenda: dto.agenda !== undefined ? dto.agenda : m.agenda,
        papers: newPapers,
        consultationId: dto.consultationId !== undefined ? dto.consultationId : m.consultationId,
        sequence: Object.keys(changes).length ? m.sequence + 1 : m.sequence,
        version: m.version + 1,
      });
      const saved = await em.getRepository(ForumMeeting).save(m);
      await this.audit.record(em, { action: 'forum_meeting.update', entityType: MEETING, entityId: id, before, after: snapshot(saved) });
      const changed = [...Object.keys(changes), ...(agendaChanged ? ['agenda'] : []), ...(papersChanged ? ['papers'] : [])];
      if (changed.length) {
        await this.emit(em, forum, saved, {
          type: DomainEventType.ForumMeetingChanged,
          payload: {
            changes: changed.map((field) => ({
              field,
              label: CHANGE_LABELS[field] ?? field,
              from: changes[field] ? String(changes[field].from) : null,
              to: changes[field] ? String(changes[field].to) : null,
            })),
            previousStartsAt: changes.startsAt ? String(changes.startsAt.from) : null,
          },
        });
      }
      return em.getRepository(ForumMeeting).findOneByOrFail({ id });
    });
  }

  async cancel(id: string, dto: CancelMeetingDto): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const { meeting: m, forum } = await this.lock(em, id);
      assertVersion('Meeting', { current: m.version, given: dto.version });
      if (m.status !== ForumMeetingStatus.Scheduled) throw wrongState(`Only a scheduled meeting can be cancelled; this one is ${m.status}`);
      const before = snapshot(m);
      Object.assign(m, { status: ForumMeetingStatus.Cancelled, cancellationReason: dto.reason, sequence: m.sequence + 1, version: m.version + 1 });
      const saved = await em.getRepository(ForumMeeting).save(m);
      await this.audit.record(em, { action: 'forum_meeting.cancel', entityType: MEETING, entityId: id, before, after: snapshot(saved) });
      await this.emit(em, forum, saved, { type: DomainEventType.ForumMeetingCancelled, payload: { cancellationReason: dto.reason } });
      return em.getRepository(ForumMeeting).findOneByOrFail({ id });
    });
  }

  async markHeld(id: string, version?: number): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const { meeting: m } = await this.lock(em, id);
      assertVersion('Meeting', { current: m.version, given: version });
      if (m.status !== ForumMeetingStatus.Scheduled) throw wrongState(`Only a scheduled meeting can be marked held; this one is ${m.status}`);
      if (m.startsAt.getTime() > Date.now()) throw unprocessable('startsAt', `is ${m.startsAt.toISOString()}: a meeting cannot be held before it starts`, 'The meeting has not started yet');
      const before = snapshot(m);
      Object.assign(m, { status: ForumMeetingStatus.Held, version: m.version + 1 });
      const saved = await em.getRepository(ForumMeeting).save(m);
      await this.audit.record(em, { action: 'forum_meeting.held', entityType: MEETING, entityId: id, before, after: snapshot(saved) });
      return saved;
    });
  }

  /** Draft (or redraft) the minutes of a held meeting; published minutes are final. */
  async setMinutes(id: string, dto: MinutesDto): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const { meeting: m } = await this.lock(em, id);
      assertVersion('Meeting', { current: m.version, given: dto.version });
      if (m.status !== ForumMeetingStatus.Held) throw wrongState(`Minutes are for a held meeting; this one is ${m.status}`);
      if (m.minutesPublishedAt) throw wrongState('The minutes are published and cannot be changed', 'minutes');
      const before = snapshot(m);
      Object.assign(m, { minutes: dto.minutes, version: m.version + 1 });
      const saved = await em.getRepository(ForumMeeting).save(m);
      await this.audit.record(em, { action: 'forum_meeting.minutes', entityType: MEETING, entityId: id, before, after: snapshot(saved) });
      return saved;
    });
  }

  async publishMinutes(id: string, version?: number): Promise<ForumMeeting> {
    return this.db.transaction(async (em) => {
      const { meeting: m, forum } = await this.lock(em, id);
      assertVersion('Meeting', { current: m.version, given: version });
      if (m.status !== ForumMeetingStatus.Held) throw wrongState(`Minutes are for a held meeting; this one is ${m.status}`);
      if (m.minutesPublishedAt) throw wrongState('The minutes are already published', 'minutes');
      if (!m.minutes) throw unprocessable('minutes', 'are not written yet: save the minutes first');
      const before = snapshot(m);
      Object.assign(m, { minutesPublishedAt: new Date(), version: m.version + 1 });
      const saved = await em.getRepository(ForumMeeting).save(m);
      await this.audit.record(em, { action: 'forum_meeting.publish_minutes', entityType: MEETING, entityId: id, before, after: snapshot(saved) });
      await this.emit(em, forum, saved, { type: DomainEventType.ForumMinutesPublished, payload: { minutesPublishedAt: saved.minutesPublishedAt!.toISOString() } });
      return saved;
    });
  }

  // --- actions ------------------------------------------------------------------------------

  async createAction(meetingId: string, dto: CreateActionDto): Promise<ForumAction> {
    return this.db.transaction(async (em) => {
      const { meeting } = await this.lock(em, meetingId);
      if (meeting.status === ForumMeetingStatus.Cancelled) throw wrongState('A cancelled meeting cannot have actions');
      const repo = em.getRepository(ForumAction);
      const a = await repo.save(
        repo.create({ meetingId, description: dto.description, owner: dto.owner, dueDate: dto.dueDate, status: ForumActionStatus.Open, completedOn: null, version: 1 }),
      );
      await this.audit.record(em, { action: 'forum_action.create', entityType: ACTION, entityId: a.id, after: snapshot(a) });
      return repo.findOneByOrFail({ id: a.id });
    });
  }

  async updateAction(id: string, dto: UpdateActionDto): Promise<ForumAction> {
    return this.db.transaction(async (em) => {
      const a = await em.getRepository(ForumAction).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!a) throw notFound('Action');
      assertVersion('Action', { current: a.version, given: dto.version });
      const before = snapshot(a);
      const status = dto.status ?? a.status;
      if (dto.completedOn !== undefined && status !== ForumActionStatus.Done) throw unprocessable('completedOn', 'only applies to a done action');
      const today = todayInLondon();
      let completedOn: string | null = null;
      if (status === ForumActionStatus.Done) completedOn = dto.completedOn ?? (a.status === ForumActionStatus.Done ? a.completedOn : today);
      if (completedOn && completedOn > today) throw unprocessable('completedOn', `must not be in the future (today is ${today})`);
      Object.assign(a, {
        description: dto.description ?? a.description,
        owner: dto.owner ?? a.owner,
        dueDate: dto.dueDate ?? a.dueDate,
        status,
        completedOn,
        version: a.version + 1,
      });
      const saved = await em.getRepository(ForumAction).save(a);
      await this.audit.record(em, { action: 'forum_action.update', entityType: ACTION, entityId: id, before, after: snapshot(saved) });
      return saved;
    });
  }

  // --- internals ------------------------------------------------------------------------------

  private async lock(em: EntityManager, id: string): Promise<{ meeting: ForumMeeting; forum: Forum }> {
    const meeting = await em.getRepository(ForumMeeting).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!meeting) throw notFound('Meeting');
    const forum = await em.getRepository(Forum).findOneByOrFail({ id: meeting.forumId });
    return { meeting, forum };
  }

  private async checkConsultation(em: EntityManager, forum: Forum, consultationId: string): Promise<void> {
    const [c]: { programme_id: string }[] = await em.query(`SELECT programme_id FROM consultations WHERE id = $1`, [consultationId]);
    if (!c || c.programme_id !== forum.programmeId) throw unprocessable('consultationId', 'is not a consultation of the forum’s programme');
  }

  /** The notice for the people invited: what, when, where, and what changed. No personal data. */
  private async emit(em: EntityManager, forum: Forum, m: ForumMeeting, event: MeetingEvent): Promise<void> {
    const facts = {
      meetingId: m.id,
      forumId: forum.id,
      forumTitle: forum.title,
      consultationId: m.consultationId,
      title: m.title,
      startsAt: m.startsAt.toISOString(),
      endsAt: m.endsAt.toISOString(),
      location: m.location,
      status: m.status,
      sequence: m.sequence,
    };
    await this.outbox.emit(em, { ...event, payload: { ...facts, ...event.payload }, programmeId: forum.programmeId, entityType: MEETING, entityId: m.id } as DomainEvent);
  }
}

/** A meeting event as this service builds it: its type and the facts particular to it (the meeting's own are added by emit). */
type MeetingEvent =
  | { type: DomainEventType.ForumMeetingScheduled; payload: Record<string, never> }
  | { type: DomainEventType.ForumMeetingChanged; payload: { changes: MeetingChange[]; previousStartsAt: string | null } }
  | { type: DomainEventType.ForumMeetingCancelled; payload: { cancellationReason: string } }
  | { type: DomainEventType.ForumMinutesPublished; payload: { minutesPublishedAt: string } };

/** What a changed field is called in a notice. */
const CHANGE_LABELS: Record<string, string> = { title: 'title', startsAt: 'start time', endsAt: 'end time', location: 'place', agenda: 'agenda', papers: 'papers' };

function checkTimes(startsAt: string, endsAt: string): void {
  const s = Date.parse(startsAt);
  const e = Date.parse(endsAt);
  if (e <= s) throw unprocessable('endsAt', 'must be after startsAt');
  if (e - s > 24 * 3_600_000) throw unprocessable('endsAt', 'must be within 24 hours of startsAt');
}

function papers(input?: { title: string; url?: string | null }[]): MeetingPaper[] {
  return (input ?? []).map((p) => ({ title: p.title, url: p.url ?? null }));
}
