import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { isStaff } from '../../common/access/programme-access';
import { Role } from '../../common/access/role.enum';
import { ApiException } from '../../common/errors/api-error';
import { UuidParam } from '../../common/http/uuid-param';
import { redirectTo, renderPage } from '../../web/page-context';
import type { PackCopy } from '../evidence/evidence-data';
import type { EvidencePackResponse } from '../evidence/evidence-pack.dto';
import { EvidencePacksService } from '../evidence/evidence-packs.service';

const STATUS_TAGS: Record<EvidencePackResponse['status'], { text: string; classes: string }> = {
  queued: { text: 'Waiting for the worker', classes: 'govuk-tag--grey' },
  running: { text: 'Being built', classes: 'govuk-tag--yellow' },
  ready: { text: 'Ready', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
};

const COPY_LABELS: Record<PackCopy, string> = {
  full: 'Full copy (contains personal data)',
  rep: 'Representatives’ copy (no personal data)',
};

const size = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`);

/**
 * A consultation's evidence pack (issue 15): HR and admins build it (the worker does the work; the
 * page shows its stage and percent, with a "Refresh" link and no automatic refresh), and download
 * either copy; a tu_rep downloads the representatives' copy. Managers have no access, as the API.
 */
@ApiExcludeController()
@Controller()
export class EvidencePackPage {
  constructor(private readonly packs: EvidencePacksService) {}

  @Get('consultations/:id/evidence-pack')
  @Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const s = await this.packs.status(user, id);
    const underWay = s.latest && (s.latest.status === 'queued' || s.latest.status === 'running') ? s.latest : null;
    const failed = s.latest?.status === 'failed' ? s.latest : null;
    const downloads = (s.lastReady?.files ?? []).map((f) => ({
      ...f,
      copyLabel: COPY_LABELS[f.copy],
      text: `Download the ${f.copy === 'full' ? 'full copy' : 'representatives’ copy'} as ${f.format === 'pdf' ? 'an indexed PDF' : 'a ZIP of the originals'}`,
      size: size(f.bytes),
      href: `/consultations/${id}/evidence-pack/${s.lastReady!.id}/${f.format}?copy=${f.copy}`,
    }));
    await renderPage(req, reply, 'documents/views/evidence-pack.njk', {
      pageTitle: `Evidence pack – ${s.consultation.title}`,
      consultation: s.consultation,
      latest: s.latest,
      underWay,
      failed,
      lastReady: s.lastReady,
      downloads,
      statusTags: STATUS_TAGS,
      canBuild: isStaff(user),
      isRep: user.role === Role.TuRep,
    });
  }

  @Post('consultations/:id/evidence-pack')
  @Roles(Role.Admin, Role.HrOfficer)
  async build(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const { created: fresh } = await this.packs.request(user, id);
    await redirectTo(req, reply, `/consultations/${id}/evidence-pack`, {
      kind: 'success',
      text: fresh ? 'The evidence pack is being built. Refresh this page to see how far it has got.' : 'A build of the evidence pack is already under way: this page shows how far it has got.',
    });
  }

  /** A copy's PDF or ZIP (audited by the service, as the API's download). */
  @Get('consultations/:id/evidence-pack/:packId/:format')
  @Roles(Role.Admin, Role.HrOfficer, Role.TuRep)
  async file(@Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string, @UuidParam('packId') packId: string, @Req() req: FastifyRequest, @Query('copy') copy: unknown): Promise<void> {
    const format = (req.params as { format?: string }).format;
    if (format !== 'pdf' && format !== 'zip') throw ApiException.validation([{ field: 'format', reason: 'must be pdf or zip' }]);
    if (copy !== undefined && copy !== 'full' && copy !== 'rep') throw ApiException.validation([{ field: 'copy', reason: 'must be full or rep' }]);
    const f = await this.packs.file(user, id, packId, format, copy as PackCopy | undefined);
    await reply.header('content-type', f.mediaType).header('content-disposition', `attachment; filename="${f.filename}"`).send(f.bytes);
  }
}
