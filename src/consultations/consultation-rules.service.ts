import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ApiException } from '../common/errors/api-error';
import { groupVersions, RuleVersion, versionInForce, versionProblems } from './collective-redundancy';
import { unprocessable } from '../common/access/programme-access';
import { todayInLondon } from '../common/dates';
import { CreateRuleVersionDto } from './dto/consultation-rule.dto';
import { CollectiveRedundancyRule } from './entities/collective-redundancy-rule.entity';

/**
 * The collective redundancy rules as versioned data. A consultation takes the version in force on
 * its start date and keeps it once opened; a new version (a change in the law) applies only from
 * its date, never to a deadline already derived.
 */
@Injectable()
export class ConsultationRulesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async versions(em: EntityManager = this.db.manager): Promise<RuleVersion[]> {
    const rows = await em.getRepository(CollectiveRedundancyRule).find({ order: { appliesFrom: 'ASC', minDismissals: 'ASC' } });
    return groupVersions(rows);
  }

  async versionInForce(em: EntityManager, date: string): Promise<RuleVersion> {
    const versions = await this.versions(em);
    const v = versionInForce(versions, date);
    if (!v) {
      const earliest = versions[0]?.appliesFrom;
      throw unprocessable(
        'startDate',
        earliest ? `is before ${earliest}, the earliest date collective redundancy rules are recorded from` : 'has no collective redundancy rules recorded',
        'No collective redundancy rules apply on the start date',
      );
    }
    return v;
  }

  async version(em: EntityManager, appliesFrom: string): Promise<RuleVersion> {
    const v = (await this.versions(em)).find((x) => x.appliesFrom === appliesFrom);
    if (!v) throw new Error(`collective redundancy rules of ${appliesFrom} are missing`);
    return v;
  }

  async band(em: EntityManager, id: string): Promise<CollectiveRedundancyRule | null> {
    return em.getRepository(CollectiveRedundancyRule).findOneBy({ id });
  }

  async addVersion(dto: CreateRuleVersionDto): Promise<RuleVersion> {
    const problems = versionProblems(dto.bands);
    if (problems.length) throw ApiException.validation(problems, 'The bands of a version must not overlap');
    return this.db.transaction(async (em) => {
      // One writer at a time, so two new versions cannot both pass the "later than the latest" check.
      await em.query(`LOCK TABLE collective_redundancy_rules IN SHARE ROW EXCLUSIVE MODE`);
      const [latest]: { applies_from: string }[] = await em.query(`SELECT max(applies_from)::text AS applies_from FROM collective_redundancy_rules`);
      if (latest?.applies_from && dto.appliesFrom <= latest.applies_from) {
        throw unprocessable('appliesFrom', `must be later than ${latest.applies_from}, the date the latest version applies from`);
      }
      const today = todayInLondon();
      if (dto.appliesFrom < today) {
        throw unprocessable('appliesFrom', `must not be in the past (today is ${today}): deadlines already derived are never rewritten`);
      }
      const repo = em.getRepository(CollectiveRedundancyRule);
      for (const b of dto.bands) {
        const row = await repo.save(repo.create({ appliesFrom: dto.appliesFrom, ...b, maxDismissals: b.maxDismissals ?? null }));
        await this.audit.record(em, { action: 'collective_redundancy_rule.create', entityType: 'collective_redundancy_rule', entityId: row.id, after: { ...b, appliesFrom: dto.appliesFrom } });
      }
      return this.version(em, dto.appliesFrom);
    });
  }
}
