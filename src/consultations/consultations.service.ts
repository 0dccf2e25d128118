import { Injectable } from '@nestjs/common';
import { assertVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/access/auth-user';
import { managedAreaIds } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { DomainEventType } from '../events/domain-event';
import { OutboxService } from '../events/outbox.service';
import { Deadlines, deriveDeadlines, describeBand, RuleVersion } from './collective-redundancy';
import { asProposal, ConsultationStatutoryResponse, loadProposals, statutoryView } from './consultation-statutory';
import { aggregateProposals, startByRule } from '../statutory/rules';
import { canSeeProgramme, notFound, programmeFilter, unprocessable, wrongState } from '../common/access/programme-access';
import { ConsultationRulesService } from './consultation-rules.service';
import { todayInLondon } from '../common/dates';
import {
  CloseConsultationDto,
  ConsultationPostResponse,
  CreateConsultationDto,
  ExtendConsultationDto,
  ListConsultationsQuery,
  TransitionDto,
  UpdateConsultationDto,
} from './dto/consultation.dto';
import { Consultation, CONSULTATION_KIND_LABELS, ConsultationKind, ConsultationStatus } from './entities/consultation.entity';
import { MilestonesService } from './milestones.service';

const ENTITY = 'consultation';

/** The fields that decide the statutory deadlines. */
interface DeadlineInputs {
  id?: string;
  programmeId: string;
  title: string;
  establishment: string | null;
  status: ConsultationStatus;
  createdAt?: Date;
  kind: ConsultationKind;
  startDate: string;
  plannedEndDate: string;
  proposedDismissals: number | null;
  firstDismissalDate: string | null;
  firstNoticeDate: string | null;
}

export interface ConsultationWithRule {
  consultation: Consultation;
  rule: { citation: string; band: string } | null;
}

function snapshot(c: Consultation): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...rest } = c;
  return { ...rest };
}

@Injectable()
export class ConsultationsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly rules: ConsultationRulesService,
    private readonly milestones: MilestonesService,
  ) {}

  // --- reading -------------------------------------------------------------

  async list(user: AuthUser, q: ListConsultationsQuery): Promise<Consultation[]> {
    const qb = this.db.getRepository(Consultation).createQueryBuilder('c').orderBy('c.start_date', 'DESC').addOrderBy('c.id');
    const visible = programmeFilter(user);
    if (visible) qb.andWhere('c.programme_id = ANY(:visible)', { visible });
    if (q.programmeId) qb.andWhere('c.programme_id = :programmeId', { programmeId: q.programmeId });
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    return qb.limit(500).getMany();
  }

  /** A consultation the caller may see, else 404. */
  async get(user: AuthUser, id: string, em: EntityManager = this.db.manager): Promise<Consultation> {
    const c = await em.getRepository(Consultation).findOneBy({ id });
    if (!c || !canSeeProgramme(user, c.programmeId)) throw notFound('Consultation');
    return c;
  }

  async withRule(c: Consultation, em: EntityManager = this.db.manager): Promise<ConsultationWithRule> {
    if (!c.ruleId) return { consultation: c, rule: null };
    const band = await this.rules.band(em, c.ruleId);
    return { consultation: c, rule: band ? { citation: band.citation, band: describeBand(band) } : null };
  }

  /** Posts the consultation covers (never who holds them); a manager sees only their areas' posts. */
  async listPosts(user: AuthUser, id: string): Promise<ConsultationPostResponse[]> {
    await this.get(user, id);
    const areas = user.role === Role.Manager ? managedAreaIds(user) : null;
    const rows: { id: string; reference: string; title: string; grade: string; area_id: string; area: string; fte: string; scope: string; status: string }[] =
      await this.db.query(
        `SELECT p.id, p.reference, p.title, COALESCE(g.report_group, g.code) AS grade, a.id AS area_id, a.name AS area,
                p.fte::text AS fte, p.scope, p.establishment_status AS status
         FROM consultation_posts cp
         JOIN posts p ON p.id = cp.post_id
         JOIN grades g ON g.id = p.grade_id
         JOIN thematic_areas a ON a.id = p.thematic_area_id
         WHERE cp.consultation_id = $1 AND ($2::uuid[] IS NULL OR p.thematic_area_id = ANY($2::uuid[]))
         ORDER BY p.reference, p.id`,
        [id, areas],
      );
    return rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      title: r.title,
      grade: r.grade,
      thematicAreaId: r.area_id,
      thematicArea: r.area,
      fte: Number(r.fte),
      scope: r.scope,
      establishmentStatus: r.status,
    }));
  }

  // --- changing --------------------------------------------------------------

  async create(dto: CreateConsultationDto): Promise<Consultation> {
    return this.db.transaction(async (em) => {
      const [programme]: { id: string }[] = await em.query(`SELECT id FROM programmes WHERE id = $1`, [dto.programmeId]);
      if (!programme) throw unprocessable('programmeId', 'does not exist', 'Unknown programme');
      const inputs: DeadlineInputs = {
        programmeId: dto.programmeId,
        title: dto.title,
        establishment: dto.establishment ?? null,
        status: ConsultationStatus.Planned,
        kind: dto.kind,
        startDate: dto.startDate,
        plannedEndDate: dto.plannedEndDate,
        proposedDismissals: dto.proposedDismissals ?? null,
        firstDismissalDate: dto.firstDismissalDate ?? null,
        firstNoticeDate: dto.firstNoticeDate ?? null,
      };
      this.checkInputs(inputs);
      const deadlines = await this.deadlines(em, inputs, null);
      const repo = em.getRepository(Consultation);
      const c = await repo.save(
        repo.create({
          programmeId: dto.programmeId,
          title: dto.title,
          description: dto.description ?? null,
          kind: dto.kind,
          status: ConsultationStatus.Planned,
          startDate: dto.startDate,
          plannedEndDate: dto.plannedEndDate,
          originalEndDate: dto.plannedEndDate,
          establishment: dto.establishment ?? null,
          proposedDismissals: inputs.proposedDismissals,
          firstDismissalDate: inputs.firstDismissalDate,
          firstNoticeDate: inputs.firstNoticeDate,
          ...this.deadlineColumns(deadlines),
          extensionReason: null,
          openedAt: null,
          closedOn: null,
          closingSummary: null,
          version: 1,
        }),
      );
      await this.audit.record(em, { action: 'consultation.create', entityType: ENTITY, entityId: c.id, after: snapshot(c) });
      if (dto.postIds?.length) await this.replacePosts(em, c, dto.postIds);
      await this.milestones.syncDerived(em, c);
      return repo.findOneByOrFail({ id: c.id });
    });
  }

  async update(id: string, dto: UpdateConsultationDto): Promise<Consultation> {
    return this.db.transaction(async (em) => {
      const c = await this.lock(em, id);
      assertVersion('Consultation', { current: c.version, given: dto.version });
      if (c.status === ConsultationStatus.Closed) throw wrongState('A closed consultation cannot be changed');
      const before = snapshot(c);
      const planned = c.status === ConsultationStatus.Planned;
      for (const field of ['kind', 'startDate', 'plannedEndDate'] as const) {
        if (dto[field] !== undefined && dto[field] !== c[field] && !planned) {
          throw unprocessable(
            field,
            field === 'plannedEndDate' ? 'can only be changed while the consultation is planned; extend it instead' : 'can only be changed while the consultation is planned',
            `The consultation is ${c.status}`,
          );
        }
      }
      const kind = dto.kind ?? c.kind;
      const inputs: DeadlineInputs = {
        id: c.id,
        programmeId: c.programmeId,
        title: dto.title ?? c.title,
        establishment: dto.establishment !== undefined ? dto.establishment : c.establishment,
        status: c.status,
        createdAt: c.createdAt,
        firstNoticeDate: dto.firstNoticeDate !== undefined ? dto.firstNoticeDate : kind === ConsultationKind.CollectiveRedundancy ? c.firstNoticeDate : null,
        kind,
        startDate: dto.startDate ?? c.startDate,
        plannedEndDate: dto.plannedEndDate ?? c.plannedEndDate,
        proposedDismissals: dto.proposedDismissals !== undefined ? dto.proposedDismissals : kind === ConsultationKind.CollectiveRedundancy ? c.proposedDismissals : null,
        firstDismissalDate: dto.firstDismissalDate !== undefined ? dto.firstDismissalDate : kind === ConsultationKind.CollectiveRedundancy ? c.firstDismissalDate : null,
      };
      this.checkInputs(inputs);
      // Once open, the version of the rules is fixed: a later change in the law does not apply.
      const deadlines = await this.deadlines(em, inputs, planned ? null : c.rulesAppliedFrom);
      Object.assign(c, {
        title: dto.title ?? c.title,
        description: dto.description !== undefined ? dto.description : c.description,
        establishment: dto.establishment !== undefined ? dto.establishment : c.establishment,
        kind: inputs.kind,
        startDate: inputs.startDate,
        plannedEndDate: inputs.plannedEndDate,
        originalEndDate: planned ? inputs.plannedEndDate : c.originalEndDate,
        proposedDismissals: inputs.proposedDismissals,
        firstDismissalDate: inputs.firstDismissalDate,
        firstNoticeDate: inputs.firstNoticeDate,
        ...this.deadlineColumns(deadlines),
        version: c.version + 1,
      });
      const saved = await em.getRepository(Consultation).save(c);
      await this.audit.record(em, { action: 'consultation.update', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      await this.milestones.syncDerived(em, saved);
      return em.getRepository(Consultation).findOneByOrFail({ id });
    });
  }

  /** planned -> open. The deadlines are derived again from the rules in force on the start date, then fixed. */
  async open(id: string, dto: TransitionDto): Promise<Consultation> {
    return this.db.transaction(async (em) => {
      const c = await this.lock(em, id);
      assertVersion('Consultation', { current: c.version, given: dto.version });
      if (c.status !== ConsultationStatus.Planned) throw wrongState(`Only a planned consultation can be opened; this one is ${c.status}`);
      const today = todayInLondon();
      if (c.startDate > today) throw unprocessable('startDate', `is ${c.startDate}: open the consultation on or after its start date`, 'The consultation has not started yet');
      const before = snapshot(c);
      const deadlines = await this.deadlines(em, { ...c, status: ConsultationStatus.Open }, null);
      Object.assign(c, { ...this.deadlineColumns(deadlines), status: ConsultationStatus.Open, openedAt: new Date(), version: c.version + 1 });
      const saved = await em.getRepository(Consultation).save(c);
      await this.audit.record(em, { action: 'consultation.open', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      await this.milestones.syncDerived(em, saved);
      await this.outbox.emit(em, {
        type: DomainEventType.ConsultationOpened,
        programmeId: c.programmeId,
        entityType: ENTITY,
        entityId: id,
        payload: { ...this.eventBasics(saved), minimumPeriodDays: saved.minimumPeriodDays ?? null, hr1DueDate: saved.hr1DueDate ?? null },
      });
      return em.getRepository(Consultation).findOneByOrFail({ id });
    });
  }

  async extend(id: string, dto: ExtendConsultationDto): Promise<Consultation> {
    return this.db.transaction(async (em) => {
      const c = await this.lock(em, id);
      assertVersion('Consultation', { current: c.version, given: dto.version });
      if (c.status !== ConsultationStatus.Open && c.status !== ConsultationStatus.Extended) {
        throw wrongState(`Only an open consultation can be extended; this one is ${c.status}`);
      }
      if (dto.plannedEndDate <= c.plannedEndDate) {
        throw unprocessable('plannedEndDate', `must be later than the current end date ${c.plannedEndDate}`, 'An extension must move the end date later');
      }
      if (dto.firstDismissalDate !== undefined && c.kind !== ConsultationKind.CollectiveRedundancy) {
        throw unprocessable('firstDismissalDate', 'only applies to a collective redundancy consultation');
      }
      const firstDismissalDate = dto.firstDismissalDate ?? c.firstDismissalDate;
      await this.checkEndsBeforeLinkedTransfers(em, c.id, dto.plannedEndDate);
      if (firstDismissalDate && firstDismissalDate <= dto.plannedEndDate) {
        throw unprocessable(
          'firstDismissalDate',
          `must be after the new end date ${dto.plannedEndDate} (it is ${firstDismissalDate}); send a later firstDismissalDate`,
          'No dismissal may take effect before the consultation ends',
        );
      }
      const before = snapshot(c);
      const previousEndDate = c.plannedEndDate;
      const deadlines = await this.deadlines(em, { ...c, plannedEndDate: dto.plannedEndDate, firstDismissalDate }, c.rulesAppliedFrom);
      Object.assign(c, {
        ...this.deadlineColumns(deadlines),
        plannedEndDate: dto.plannedEndDate,
        firstDismissalDate,
        extensionReason: dto.reason,
        status: ConsultationStatus.Extended,
        version: c.version + 1,
      });
      const saved = await em.getRepository(Consultation).save(c);
      await this.audit.record(em, { action: 'consultation.extend', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      await this.milestones.syncDerived(em, saved);
      await this.outbox.emit(em, {
        type: DomainEventType.ConsultationExtended,
        programmeId: c.programmeId,
        entityType: ENTITY,
        entityId: id,
        payload: { ...this.eventBasics(saved), previousEndDate, extensionReason: dto.reason },
      });
      return em.getRepository(Consultation).findOneByOrFail({ id });
    });
  }

  async close(id: string, dto: CloseConsultationDto): Promise<Consultation> {
    return this.db.transaction(async (em) => {
      const c = await this.lock(em, id);
      assertVersion('Consultation', { current: c.version, given: dto.version });
      if (c.status !== ConsultationStatus.Open && c.status !== ConsultationStatus.Extended) {
        throw wrongState(`Only an open consultation can be closed; this one is ${c.status}`);
      }
      const today = todayInLondon();
      const closedOn = dto.closedOn ?? today;
      if (closedOn > today) throw unprocessable('closedOn', `must not be in the future (today is ${today})`);
      if (closedOn < c.startDate) throw unprocessable('closedOn', `must not be before the start date ${c.startDate}`);
      // s.188 is a start-by rule: a consultation may close before 30 / 45 days have run; the statutory
      // view then says what remains owed (no dismissal before start + 30 / 45 days, HR1, disclosure).
      const before = snapshot(c);
      Object.assign(c, { status: ConsultationStatus.Closed, closedOn, closingSummary: dto.summary, version: c.version + 1 });
      const saved = await em.getRepository(Consultation).save(c);
      await this.audit.record(em, { action: 'consultation.close', entityType: ENTITY, entityId: id, before, after: snapshot(saved) });
      await this.milestones.completeDerivedEnd(em, saved);
      await this.outbox.emit(em, {
        type: DomainEventType.ConsultationClosed,
        programmeId: c.programmeId,
        entityType: ENTITY,
        entityId: id,
        payload: { ...this.eventBasics(saved), closedOn, closingSummary: dto.summary ?? null },
      });
      return em.getRepository(Consultation).findOneByOrFail({ id });
    });
  }

  async setPosts(id: string, postIds: string[]): Promise<void> {
    await this.db.transaction(async (em) => {
      const c = await this.lock(em, id);
      if (c.status === ConsultationStatus.Closed) throw wrongState('The posts of a closed consultation cannot be changed');
      await this.replacePosts(em, c, postIds);
      await em.query(`UPDATE consultations SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
    });
  }

  // --- internals -----------------------------------------------------------------

  async lock(em: EntityManager, id: string): Promise<Consultation> {
    const c = await em.getRepository(Consultation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!c) throw notFound('Consultation');
    return c;
  }

  private async replacePosts(em: EntityManager, c: Consultation, postIds: string[]): Promise<void> {
    const found: { id: string }[] = postIds.length
      ? await em.query(`SELECT id FROM posts WHERE id = ANY($1::uuid[]) AND programme_id = $2`, [postIds, c.programmeId])
      : [];
    const known = new Set(found.map((r) => r.id));
    const details = postIds.flatMap((p, i) => (known.has(p) ? [] : [{ field: `postIds[${i}]`, reason: 'is not a post of the consultation’s programme' }]));
    if (details.length) throw new ApiException(422, 'Some posts are not in the programme', details);
    const current: { post_id: string }[] = await em.query(`SELECT post_id FROM consultation_posts WHERE consultation_id = $1 ORDER BY post_id`, [c.id]);
    const before = current.map((r) => r.post_id);
    const after = [...postIds].sort();
    await em.query(`DELETE FROM consultation_posts WHERE consultation_id = $1 AND NOT (post_id = ANY($2::uuid[]))`, [c.id, after]);
    await em.query(
      `INSERT INTO consultation_posts (consultation_id, post_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
      [c.id, after],
    );
    await this.linkUncoveredCases(em, c, after);
    await this.audit.record(em, {
      action: 'consultation.set_posts',
      entityType: ENTITY,
      entityId: c.id,
      before: { postIds: before },
      after: { postIds: after },
      metadata: { added: after.filter((p) => !before.includes(p)).length, removed: before.filter((p) => !after.includes(p)).length },
    });
  }

  /**
   * Cases on the posts a statutory consultation covers, with no consultation linked yet and not yet
   * moved, are linked to it (audited, one row per case). A case already linked keeps its link: a
   * later consultation on the same posts never moves its deadlines.
   */
  private async linkUncoveredCases(em: EntityManager, c: Consultation, postIds: string[]): Promise<void> {
    if (c.kind === ConsultationKind.InformalEngagement || !postIds.length) return;
    // An UPDATE … RETURNING comes back from TypeORM as [rows, affected].
    const [linked]: [{ id: string }[], number] = await em.query(
      `UPDATE transition_cases SET consultation_id = $1, version = version + 1, updated_at = now()
       WHERE programme_id = $2 AND consultation_id IS NULL AND post_id = ANY($3::uuid[])
         AND state IN ('proposed', 'in_consultation', 'agreed', 'letters_issued', 'on_hold')
       RETURNING id`,
      [c.id, c.programmeId, postIds],
    );
    for (const r of linked) {
      await this.audit.record(em, {
        action: 'case.link_consultation',
        entityType: 'transition_case',
        entityId: r.id,
        before: { consultationId: null },
        after: { consultationId: c.id },
        metadata: { via: 'consultation.set_posts' },
      });
    }
  }

  /** Shape rules the statutory deadlines rest on (what the request alone can be checked for). */
  private checkInputs(i: DeadlineInputs): void {
    const details: { field: string; reason: string }[] = [];
    if (i.plannedEndDate < i.startDate) details.push({ field: 'plannedEndDate', reason: `must not be before the start date ${i.startDate}` });
    if (i.kind === ConsultationKind.CollectiveRedundancy) {
      if (i.proposedDismissals === null) details.push({ field: 'proposedDismissals', reason: 'is required for a collective redundancy consultation' });
      if (i.firstDismissalDate && i.firstDismissalDate <= i.plannedEndDate) {
        details.push({ field: 'firstDismissalDate', reason: `must be after the planned end date ${i.plannedEndDate}: no dismissal may take effect before the consultation ends` });
      }
      if (i.firstNoticeDate && i.firstDismissalDate && i.firstNoticeDate > i.firstDismissalDate) {
        details.push({ field: 'firstNoticeDate', reason: `must not be after the first dismissal date ${i.firstDismissalDate}: notice is given before the dismissal takes effect` });
      }
    } else {
      if (i.proposedDismissals !== null) details.push({ field: 'proposedDismissals', reason: 'only applies to a collective redundancy consultation' });
      if (i.firstDismissalDate !== null) details.push({ field: 'firstDismissalDate', reason: 'only applies to a collective redundancy consultation' });
      if (i.firstNoticeDate !== null) details.push({ field: 'firstNoticeDate', reason: 'only applies to a collective redundancy consultation' });
    }
    if (details.length) throw new ApiException(422, details.map((d) => `${d.field} ${d.reason}`).join('; '), details);
  }

  /**
   * The statutory deadlines for collective redundancy (null for other kinds), from the version of the
   * rules in force on the start date, or from `fixedVersion` once the consultation is open. The band
   * is chosen on the dismissals proposed at the establishment within 90 days (s.188(1), (3)); the
   * period is a start-by rule (s.188(1A)), so no end date is refused for being early; HR1 is due by
   * the earlier of the first notice and 30 / 45 days before the first dismissal (s.193).
   */
  private async deadlines(em: EntityManager, i: DeadlineInputs, fixedVersion: string | null): Promise<(Deadlines & { aggregated: number }) | null> {
    if (i.kind !== ConsultationKind.CollectiveRedundancy) return null;
    const version: RuleVersion = fixedVersion ? await this.rules.version(em, fixedVersion) : await this.rules.versionInForce(em, i.startDate);
    const self = asProposal({ ...i, proposedDismissals: i.proposedDismissals as number });
    const aggregated = aggregateProposals(self, await loadProposals(em, i.programmeId)).total;
    const c = { startDate: i.startDate, plannedEndDate: i.plannedEndDate, proposedDismissals: aggregated, firstDismissalDate: i.firstDismissalDate };
    const d = deriveDeadlines(version, c);
    if (d.rule) {
      const r = startByRule({ ...c, closedOn: null, firstNoticeDate: i.firstNoticeDate }, d.rule.minimumPeriodDays, d.rule.hr1DaysBefore);
      d.hr1DueDate = r.hr1DueDate;
    }
    return { ...d, aggregated };
  }

  /** TUPE reg. 13: a consultation covering transfers ends before they take effect (422 naming plannedEndDate). */
  private async checkEndsBeforeLinkedTransfers(em: EntityManager, consultationId: string, end: string): Promise<void> {
    const rows: { date: string; n: number }[] = await em.query(
      `SELECT min(coalesce(actual_effective_date, proposed_effective_date))::text AS date, count(*)::int AS n FROM transition_cases
       WHERE consultation_id = $1 AND route IN ('tupe_transfer', 'cosop_transfer') AND state IN ('proposed', 'in_consultation', 'agreed', 'letters_issued', 'on_hold')
         AND coalesce(actual_effective_date, proposed_effective_date) <= $2`,
      [consultationId, end],
    );
    if (rows[0]?.n) {
      throw unprocessable(
        'plannedEndDate',
        `must be before ${rows[0].date}, when ${rows[0].n} linked transfer(s) take effect: the consultation ends before the transfer (TUPE reg. 13)`,
        'The consultation would run past the transfer date',
      );
    }
  }

  /** The statutory reading of a consultation as of a date (aggregation, start-by, HR1, disclosure, exposure). */
  async statutory(c: Consultation, asOf?: string, em: EntityManager = this.db.manager): Promise<ConsultationStatutoryResponse> {
    const band = c.ruleId ? await this.rules.band(em, c.ruleId) : null;
    return statutoryView(em, c, asOf ?? todayInLondon(), band?.hr1DaysBefore ?? null);
  }

  private deadlineColumns(
    d: (Deadlines & { aggregated: number }) | null,
  ): Pick<Consultation, 'rulesAppliedFrom' | 'ruleId' | 'minimumPeriodDays' | 'minimumEndDate' | 'hr1DueDate' | 'aggregatedDismissals'> {
    return {
      aggregatedDismissals: d?.aggregated ?? null,
      rulesAppliedFrom: d?.rulesAppliedFrom ?? null,
      ruleId: d?.rule?.id ?? null,
      minimumPeriodDays: d?.minimumPeriodDays ?? null,
      minimumEndDate: d?.minimumEndDate ?? null,
      hr1DueDate: d?.hr1DueDate ?? null,
    };
  }

  /** What every consultation event says of it (the facts of this moment). */
  private eventBasics(c: Consultation) {
    return { consultationId: c.id, title: c.title, kind: c.kind, kindLabel: CONSULTATION_KIND_LABELS[c.kind], startDate: c.startDate, plannedEndDate: c.plannedEndDate };
  }
}
