import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Roles } from '../common/access/decorators';
import { Role } from '../common/access/role.enum';
import { AuditEntryResponse, AuditPage, AuditQuery } from './dto/audit.dto';
import { AuditEntry } from './entities/audit-entry.entity';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  @Roles(Role.Admin, Role.HrOfficer)
  @ApiOperation({ summary: 'The audit trail, newest first, filtered by entity, actor, action and time; keyset pagination' })
  @ApiOkResponse({ type: AuditPage })
  async list(@Query() q: AuditQuery): Promise<AuditPage> {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('a');
    if (q.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: q.entityType });
    if (q.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: q.entityId });
    if (q.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: q.actorId });
    if (q.action) qb.andWhere('a.action = :action', { action: q.action });
    if (q.from) qb.andWhere('a.occurred_at >= :from', { from: q.from });
    if (q.to) qb.andWhere('a.occurred_at < :to', { to: q.to });
    if (q.cursor) qb.andWhere('a.id < :cursor', { cursor: q.cursor });
    const rows = await qb.orderBy('a.id', 'DESC').limit(q.limit + 1).getMany();
    const page = rows.slice(0, q.limit);
    return { items: page.map(AuditEntryResponse.from), nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null };
  }
}
