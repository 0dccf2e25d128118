import { HttpStatus, Injectable, NotFoundException } from '@nestjs/common';
import { staleVersion } from '../common/errors/stale-version';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../common/access/auth-user';
import { destinationProblem, parseAllowList } from './channels/destination-guard';
import { ApiException } from '../common/errors/api-error';
import { AppConfig } from '../config/app-config';
import { CreateWebhookDto, UpdateWebhookDto } from './dto/webhook-subscription.dto';
import { WebhookSubscription } from './entities/webhook-subscription.entity';

/** What the audit trail keeps of a subscription: never its secret. */
function auditView(w: WebhookSubscription): Record<string, unknown> {
  return { name: w.name, url: w.url, eventTypes: [...w.eventTypes].sort(), programmeId: w.programmeId, active: w.isActive };
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  list(): Promise<WebhookSubscription[]> {
    return this.db.getRepository(WebhookSubscription).find({ order: { name: 'ASC' } });
  }

  async get(id: string, em: EntityManager = this.db.manager): Promise<WebhookSubscription> {
    const w = await em.getRepository(WebhookSubscription).findOneBy({ id });
    if (!w) throw new NotFoundException('Webhook subscription not found');
    return w;
  }

  async create(caller: AuthUser, dto: CreateWebhookDto): Promise<WebhookSubscription> {
    await this.checkUrl(dto.url);
    return this.db.transaction(async (em) => {
      await this.checkProgramme(em, dto.programmeId ?? null);
      await this.checkName(em, dto.name, null);
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO webhook_subscriptions (name, url, secret, event_types, programme_id, is_active, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [dto.name, dto.url, newSecret(), dto.eventTypes ?? [], dto.programmeId ?? null, dto.active ?? true, caller.id],
      );
      const created = await this.get(row.id, em);
      await this.audit.record(em, { action: 'webhook_subscription.create', entityType: 'webhook_subscription', entityId: created.id, after: auditView(created) });
      return created;
    });
  }

  async update(id: string, dto: UpdateWebhookDto): Promise<WebhookSubscription> {
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    return this.db.transaction(async (em) => {
      const before = await this.locked(em, id, dto.version);
      if (dto.programmeId !== undefined) await this.checkProgramme(em, dto.programmeId);
      if (dto.name !== undefined) await this.checkName(em, dto.name, id);
      await em.query(
        `UPDATE webhook_subscriptions SET name = $2, url = $3, event_types = $4, programme_id = $5, is_active = $6,
                version = version + 1, updated_at = now() WHERE id = $1`,
        [
          id,
          dto.name ?? before.name,
          dto.url ?? before.url,
          dto.eventTypes ?? before.eventTypes,
          dto.programmeId === undefined ? before.programmeId : dto.programmeId,
          dto.active ?? before.isActive,
        ],
      );
      const after = await this.get(id, em);
      await this.audit.record(em, { action: 'webhook_subscription.update', entityType: 'webhook_subscription', entityId: id, before: auditView(before), after: auditView(after) });
      return after;
    });
  }

  async rotateSecret(id: string, version: number): Promise<WebhookSubscription> {
    return this.db.transaction(async (em) => {
      await this.locked(em, id, version);
      await em.query(`UPDATE webhook_subscriptions SET secret = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, newSecret()]);
      await this.audit.record(em, { action: 'webhook_subscription.rotate_secret', entityType: 'webhook_subscription', entityId: id, metadata: { secretRotated: true } });
      return this.get(id, em);
    });
  }

  /** Deleting a subscription deletes its deliveries too; deactivate it instead to keep the history. */
  async remove(id: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const before = await this.locked(em, id);
      await em.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
      await this.audit.record(em, { action: 'webhook_subscription.delete', entityType: 'webhook_subscription', entityId: id, before: auditView(before) });
    });
  }

  private async locked(em: EntityManager, id: string, version?: number): Promise<WebhookSubscription> {
    const rows = await em.query(`SELECT id FROM webhook_subscriptions WHERE id = $1 FOR UPDATE`, [id]);
    if (!rows.length) throw new NotFoundException('Webhook subscription not found');
    const w = await this.get(id, em);
    if (version !== undefined && w.version !== version) {
      throw staleVersion('Webhook subscription', w.version);
    }
    return w;
  }

  private async checkUrl(url: string): Promise<void> {
    if (this.config.isProduction && !url.startsWith('https://')) throw ApiException.validation([{ field: 'url', reason: 'must use https in production' }]);
    // SSRF: no loopback, private, link-local or metadata destination, unless WEBHOOK_ALLOW_INTERNAL allows its range.
    const problem = await destinationProblem(url, parseAllowList(this.config.WEBHOOK_ALLOW_INTERNAL));
    if (problem) throw ApiException.validation([{ field: 'url', reason: problem }], 'The webhook destination is not allowed');
  }

  private async checkProgramme(em: EntityManager, programmeId: string | null): Promise<void> {
    if (!programmeId) return;
    const rows = await em.query(`SELECT 1 FROM programmes WHERE id = $1`, [programmeId]);
    if (!rows.length) throw ApiException.validation([{ field: 'programmeId', reason: 'is not a programme' }]);
  }

  private async checkName(em: EntityManager, name: string, exceptId: string | null): Promise<void> {
    const rows = await em.query(`SELECT 1 FROM webhook_subscriptions WHERE name = $1 AND id IS DISTINCT FROM $2`, [name, exceptId]);
    if (rows.length) throw new ApiException(HttpStatus.CONFLICT, 'Name already in use', [{ field: 'name', reason: 'is already used by another subscription' }]);
  }
}
