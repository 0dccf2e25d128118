import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { isStaff, READ_ROLES } from '../../common/access/programme-access';
import { UuidParam } from '../../common/http/uuid-param';
import { redirectTo, renderPage } from '../../web/page-context';
import { ForumMemberResponse, ForumResponse } from '../dto/forum.dto';
import { ForumSide } from '../entities/forum-member.entity';
import { ForumService } from '../forum.service';

/** The forum pages' sub navigation. */
export function forumNav(forumId: string, current: 'overview' | 'meetings' | 'representations' | 'members') {
  return [
    { text: 'Overview', href: `/forum/${forumId}`, active: current === 'overview' },
    { text: 'Meetings', href: `/forum/${forumId}/meetings`, active: current === 'meetings' },
    { text: 'Representations', href: `/forum/${forumId}/representations`, active: current === 'representations' },
    { text: 'Members', href: `/forum/${forumId}/members`, active: current === 'members' },
  ];
}

/** The joint trade union forum: which forums the caller sits on or follows, one forum, its members. */
@ApiExcludeController()
@Controller()
export class ForumPages {
  constructor(private readonly forums: ForumService) {}

  @Get('forum')
  @Roles(...READ_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const forums = await this.forums.list(user, {});
    if (forums.length === 1) return redirectTo(req, reply, `/forum/${forums[0].id}`);
    await renderPage(req, reply, 'forum/views/list.njk', { pageTitle: 'Joint trade union forums', forums: forums.map((f) => ({ id: f.id, title: f.title })) });
  }

  @Get('forum/:id')
  @Roles(...READ_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const forum = await this.forum(user, id);
    await renderPage(req, reply, 'forum/views/forum.njk', { pageTitle: forum.title, forum, nav: forumNav(id, 'overview') });
  }

  @Get('forum/:id/members')
  @Roles(...READ_ROLES)
  async members(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const forum = await this.forum(user, id);
    const members = await this.forums.members(id);
    const names = await this.forums.unionNames(members.flatMap((m) => (m.unionId ? [m.unionId] : [])));
    const rows = members.map((m) => ForumMemberResponse.from(m, m.unionId ? (names.get(m.unionId) ?? null) : null, user));
    await renderPage(req, reply, 'forum/views/members.njk', {
      pageTitle: `Members: ${forum.title}`,
      forum,
      nav: forumNav(id, 'members'),
      unionSide: rows.filter((m) => m.side === ForumSide.Union),
      managementSide: rows.filter((m) => m.side === ForumSide.Management),
      showNames: user.role !== 'tu_rep',
      isStaff: isStaff(user),
    });
  }

  private async forum(user: AuthUser, id: string): Promise<ForumResponse> {
    const f = await this.forums.get(user, id);
    if (!f) throw new NotFoundException('Forum not found');
    return ForumResponse.from(f, await this.forums.unionsOf(f.id));
  }
}
