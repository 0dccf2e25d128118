import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../auth/auth-user';
import { CurrentUser, Roles } from '../../auth/decorators';
import { ALL_ROLES } from '../../auth/role.enum';
import { redirectTo } from '../../web/page-context';
import { ProgrammesService } from '../programmes.service';

/** The programme's grade × thematic-area matrix, and the way to it. */
@ApiExcludeController()
@Controller()
export class MatrixPages {
  constructor(private readonly programmes: ProgrammesService) {}

  /** "Establishment" in the navigation: the caller's programme (the first, when they have several). */
  @Get('establishment')
  @Roles(...ALL_ROLES)
  async establishment(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const list = await this.programmes.list(user);
    await redirectTo(req, reply, list.length === 1 ? `/programmes/${list[0].id}/establishment` : '/programmes');
  }
}
