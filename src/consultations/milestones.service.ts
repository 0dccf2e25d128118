import { Injectable } from '@nestjs/common';
import { assertVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { AuditService } from '../audit/audit.service';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { canSeeProgramme, notFound, unprocessable, wrongState } from '../common/access/programme-access';
import { addDays, todayInLondon } from '../common/dates';
import { CreateMilestoneDto, SetMilestoneStatusDto, UpdateMilestoneDto } from './dto/milestone.dto';
import { Consultation, ConsultationKind } from './entities/consultation.entity';
import {
  DEFAULT_REMINDER_OFFSETS,
  Milestone,
  MilestoneAudience,
  MilestoneDerivedFrom,
  MilestoneKind,
  MilestoneStatus,
} from './entities/milestone.entity';

const ENTITY = 'milestone';

/**
 * Which milestones a role sees: HR officers and admins all of them; a tu_rep those meant for the
 * forum or affected staff; a manager anything not meant for HR alone.
 */
export function visibleAudiences(role: Role): MilestoneAudience[] | null {
  if (role === Role.Admin || role === Role.HrOfficer) return null;
  if (role === Role.TuRep) return [MilestoneAudience.Forum, MilestoneAudience.AffectedStaff];
  return [MilestoneAudience.Forum, MilestoneAudience.AffectedStaff, MilestoneAudience.Managers];
}

export function canSeeMilestone(role: Role, m: Pick<Milestone, 'audience'>): boolean {
  const allowed = visibleAudiences(role);
  return !allowed || m.audience.some((a) => allowed.includes(a));
}

/** Transitions a person may make; done is final. */
const TRANSITIONS: Record<MilestoneStatus, MilestoneStatus[]> = {
  [MilestoneStatus.Pending]: [MilestoneStatus.Done, MilestoneStatus.Missed, MilestoneStatus.Cancelled],
  [MilestoneStatus.Missed]: [MilestoneStatus.Done],
  [MilestoneStatus.Cancelled]: [MilestoneStatus.Pending],
  [MilestoneStatus.Done]: [],
};

interface DerivedSpec {
  derivedFrom: MilestoneDerivedFrom;
  kind: MilestoneKind;
  title: string;
  audience: MilestoneAudience[];
  due: (c: Consultation) => string | null;
}

/** Milestones the system keeps in step with the consultation's own dates while they are pending. */
const DERIVED: DerivedSpec[] = [
  {
    derivedFrom: MilestoneDerivedFrom.PlannedEndDate,
    kind: MilestoneKind.ConsultationEnd,
    title: 'Consultation period ends',
    audience: [MilestoneAudience.Forum, MilestoneAudience.Hr, MilestoneAudience.Managers],
    due: (c) => c.plannedEndDate,
  },
  {
    derivedFrom: MilestoneDerivedFrom.Hr1DueDate,
    kind: MilestoneKind.Hr1Notice,
    // The representatives receive a copy of the HR1 (TULRCA s.193(6)), so the forum is told too.
    title: 'HR1 notice of proposed redundancies to the Secretary of State due (TULRCA s.193)',
    audience: [MilestoneAudience.Hr, MilestoneAudience.Forum],
    due: (c) => (c.kind === ConsultationKind.CollectiveRedundancy ? c.hr1DueDate : null),
  },
  {
    derivedFrom: MilestoneDerivedFrom.DisclosureDueDate,
    kind: MilestoneKind.Other,
    // Consultation has not properly begun until the representatives have the particulars in writing.
    title: 'Written disclosure to the representatives (TULRCA s.188(4)): reasons, numbers and descriptions, selection, method, payments',
    audience: [MilestoneAudience.Hr, MilestoneAudience.Forum],
    due: (c) => {
      if (c.kind !== ConsultationKind.CollectiveRedundancy || !c.ruleId || !c.minimumPeriodDays) return null;
      const mustBeginBy = c.firstDismissalDate ? addDays(c.firstDismissalDate, -c.minimumPeriodDays) : null;
      return mustBeginBy && mustBeginBy < c.startDate ? mustBeginBy : c.startDate;
    },
  },
];

function snapshot(m: Milestone): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = m;
  return { ...rest };
}

@Injectable()
export class MilestonesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
  ) {}

  /** The milestones of a consultation the caller may see (the consultation itself already checked). */
  async listFor(user: Pick<AuthUser, 'role'>, consultationId: string, em: EntityManager = this.db.manager): Promise<Milestone[]> {
    const qb = em
      .getRepository(Milestone)
      .createQueryBuilder('m')
      .where('m.consultation_id = :consultationId', { consultationId })
      .orderBy('m.due_date')
      .addOrderBy('m.created_at')
      .addOrderBy('m.id');
    const audiences = visibleAudiences(user.role);
    if (audiences) qb.andWhere('m.audience && CAST(:audiences AS text[])', { audiences });
    return qb.getMany();
  }

  async get(user: AuthUser, id: string): Promise<Milestone> {
    const m = await this.db.getRepository(Milestone).findOneBy({ id });
    if (!m || !canSeeMilestone(user.role, m) || !(await this.consultationVisible(user, m.consultationId))) throw notFound('Milestone');
    return m;
  }

  async create(consultationId: string, dto: CreateMilestoneDto): Promise<Milestone> {
    return this.db.transaction(async (em) => {
      const c = await em.getRepository(Consultation).findOneBy({ id: consultationId });
      if (!c) throw notFound('Consultation');
      if (dto.ownerUserId) await this.checkOwner(em, dto.ownerUserId);
      const repo = em.getRepository(Milestone);
      const m = await repo.save(
        repo.create({
          consultationId,
          title: dto.title,
          description: dto.description ?? null,
          kind: dto.kind,
          dueDate: dto.dueDate,
          status: MilestoneStatus.Pending,
          completedOn: null,
          ownerUserId: dto.ownerUserId ?? null,
          reminderOffsets: normaliseOffsets(dto.reminderOffsets ?? DEFAULT_REMINDER_OFFSETS),
          audience: dto.audience ?? [MilestoneAudience.Forum, MilestoneAudience.Hr],
          derivedFrom: null,
          version: 1,
        }),
      );
      await this.audit.record(em, { action: 'milestone.create', entityType: ENTITY, entityId: m.id, after: snapshot(m) });
      return repo.findOneByOrFail({ id: m.id });
    });
  }

  async update(id: string, dto: UpdateMilestoneDto): Promise<Milestone> {
    return this.db.transaction(async (em) => {
      const m = await this.lock(em, id);
      assertVersion('Milestone', { current: m.version, given: dto.version });
      const before = snapshot(m);
      if (dto.dueDate !== undefined && dto.dueDate !== m.dueDate) {
        if (m.derivedFrom) {
          throw unprocessable('dueDate', `follows the consultation's ${m.derivedFrom.replace(/_/g, ' ')}: change the consultation instead`, 'This milestone follows a consultation date');
        }
        if (m.status !== MilestoneStatus.Pending) throw wrongState(`Only a pending milestone can be moved; this one is ${m.status}`, 'dueDate');
      }
      if (dto.ownerUserId) await this.checkOwner(em, dto.ownerUserId);
      Object.assign(m, {
        title: dto.title ?? m.title,
        description: dto.description !== undefined ? dto.description : m.description,
        kind: dto.kind ?? m.kind,
        dueDate: dto.dueDate ?? m.dueDate,
        ownerUserId: dto.ownerUserId !== undefined ? dto.ownerUserId : m.ownerUserId,
        reminderOffsets: dto.reminderOffsets ? normaliseOffsets(dto.reminderOffsets) : m.reminderOffsets,
        audience: dto.audience ?? m.audience,
        version: m.version + 1,
      });
      const saved = await em.getRepository(Milestone).save(m);
      await this.audit.record(em, { action: 'milestone.update', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      return em.getRepository(Milestone).findOneByOrFail({ id });
    });
  }

  async setStatus(id: string, dto: SetMilestoneStatusDto): Promise<Milestone> {
    return this.db.transaction(async (em) => {
      const m = await this.lock(em, id);
      assertVersion('Milestone', { current: m.version, given: dto.version });
      if (m.status === dto.status) throw wrongState(`The milestone is already ${m.status}`);
      if (!TRANSITIONS[m.status].includes(dto.status)) throw wrongState(`A ${m.status} milestone cannot become ${dto.status}`);
      const today = todayInLondon();
      if (dto.completedOn !== undefined && dto.status !== MilestoneStatus.Done) {
        throw unprocessable('completedOn', 'only applies when the status becomes done');
      }
      const completedOn = dto.status === MilestoneStatus.Done ? (dto.completedOn ?? today) : null;
      if (completedOn && completedOn > today) throw unprocessable('completedOn', `must not be in the future (today is ${today})`);
      await this.transition(em, m, dto.status, completedOn);
      return em.getRepository(Milestone).findOneByOrFail({ id });
    });
  }

  // --- kept in step with the consultation ------------------------------------------

  /** Create, move, cancel or reinstate the system's milestones after the consultation changed. */
  async syncDerived(em: EntityManager, c: Consultation): Promise<void> {
    const repo = em.getRepository(Milestone);
    for (const spec of DERIVED) {
      const due = spec.due(c);
      const existing = await repo.findOne({ where: { consultationId: c.id, derivedFrom: spec.derivedFrom }, lock: { mode: 'pessimistic_write' } });
      if (!existing) {
        if (!due) continue;
        const m = await repo.save(
          repo.create({
            consultationId: c.id,
            title: spec.title,
            description: null,
            kind: spec.kind,
            dueDate: due,
            status: MilestoneStatus.Pending,
            completedOn: null,
            ownerUserId: null,
            reminderOffsets: DEFAULT_REMINDER_OFFSETS,
            audience: spec.audience,
            derivedFrom: spec.derivedFrom,
            version: 1,
          }),
        );
        await this.audit.record(em, { action: 'milestone.create', entityType: ENTITY, entityId: m.id, after: snapshot(m), metadata: { derivedFrom: spec.derivedFrom } });
        continue;
      }
      const before = snapshot(existing);
      if (!due) {
        if (existing.status !== MilestoneStatus.Pending) continue;
        existing.status = MilestoneStatus.Cancelled;
      } else if (existing.status === MilestoneStatus.Pending && existing.dueDate !== due) {
        existing.dueDate = due;
      } else if (existing.status === MilestoneStatus.Cancelled) {
        Object.assign(existing, { status: MilestoneStatus.Pending, dueDate: due });
      } else {
        continue;
      }
      existing.version += 1;
      const saved = await repo.save(existing);
      await this.audit.record(em, { action: 'milestone.update', entityType: ENTITY, entityId: saved.id, before, after: snapshot(saved), metadata: { derivedFrom: spec.derivedFrom } });
    }
  }

  /** Closing the consultation reaches its "period ends" milestone. */
  async completeDerivedEnd(em: EntityManager, c: Consultation): Promise<void> {
    const m = await em.getRepository(Milestone).findOne({
      where: { consultationId: c.id, derivedFrom: MilestoneDerivedFrom.PlannedEndDate },
      lock: { mode: 'pessimistic_write' },
    });
    if (m && (m.status === MilestoneStatus.Pending || m.status === MilestoneStatus.Missed)) await this.transition(em, m, MilestoneStatus.Done, c.closedOn);
  }

  private async transition(em: EntityManager, m: Milestone, status: MilestoneStatus, completedOn: string | null): Promise<void> {
    const before = snapshot(m);
    Object.assign(m, { status, completedOn, version: m.version + 1 });
    const saved = await em.getRepository(Milestone).save(m);
    await this.audit.record(em, { action: 'milestone.status', entityType: ENTITY, entityId: m.id, before, after: snapshot(saved) });
    if (status !== MilestoneStatus.Done && status !== MilestoneStatus.Missed) return;
    const c = await em.getRepository(Consultation).findOneByOrFail({ id: m.consultationId });
    const facts = {
      milestoneId: m.id,
      consultationId: c.id,
      consultationTitle: c.title,
      title: m.title,
      kind: m.kind,
      dueDate: m.dueDate,
      audience: m.audience,
      ownerUserId: m.ownerUserId,
    };
    const base = { programmeId: c.programmeId, entityType: ENTITY, entityId: m.id } as const;
    if (status === MilestoneStatus.Done) {
      await this.outbox.emit(em, { ...base, type: DomainEventType.MilestoneReached, payload: { ...facts, completedOn }, dedupeKey: `milestone.reached:${m.id}` });
    } else {
      // Same key as the reminder scheduler's, so a milestone is reported missed once whichever notices first.
      await this.outbox.emit(em, {
        ...base,
        type: DomainEventType.MilestoneMissed,
        payload: { ...facts, daysOverdue: null },
        dedupeKey: `milestone.missed:${m.id}:${m.dueDate}`,
      });
    }
  }

  private async lock(em: EntityManager, id: string): Promise<Milestone> {
    const m = await em.getRepository(Milestone).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!m) throw notFound('Milestone');
    return m;
  }

  private async checkOwner(em: EntityManager, userId: string): Promise<void> {
    const [u]: { role: Role }[] = await em.query(`SELECT role FROM users WHERE id = $1 AND is_active`, [userId]);
    if (!u) throw unprocessable('ownerUserId', 'is not an active user');
    if (u.role === Role.TuRep) throw unprocessable('ownerUserId', 'must be on the employer’s side (HR, admin or manager), not a trade union rep');
  }

  private async consultationVisible(user: AuthUser, consultationId: string): Promise<boolean> {
    const c = await this.db.getRepository(Consultation).findOneBy({ id: consultationId });
    return !!c && canSeeProgramme(user, c.programmeId);
  }
}

/** Reminder offsets, largest first. */
export function normaliseOffsets(offsets: number[]): number[] {
  return [...new Set(offsets)].sort((a, b) => b - a);
}
