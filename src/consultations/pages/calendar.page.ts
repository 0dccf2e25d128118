import { keepShownOnce, takeShownOnce } from '../../web/shown-once';
import { Controller, Get, NotFoundException, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { API_PREFIX } from '../../common/http/api-prefix';
import { AppConfig } from '../../config/app-config';
import { UuidParam } from '../../common/http/uuid-param';
import { redirectTo, renderPage } from '../../web/page-context';
import { CalendarFeedsService } from '../calendar-feeds.service';
import { READ_ROLES } from '../../common/access/programme-access';
import { ConsultationsService } from '../consultations.service';
import { CalendarFeedResponse } from '../dto/calendar-feed.dto';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** A secret shown once on the next page (a calendar URL, a webhook secret), then forgotten. */
    shownOnce?: { for: string; secret: string };
  }
}


/**
 * "Subscribe in your calendar": the caller's secret feed URL, shown once after it is made, built
 * from the configured PUBLIC_BASE_URL (never the request's Host header); and a button to revoke it.
 */
@ApiExcludeController()
@Controller()
export class CalendarPages {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly feeds: CalendarFeedsService,
    private readonly config: AppConfig,
  ) {}

  @Get('consultations/:id/calendar')
  @Roles(...READ_ROLES)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const c = await this.consultations.get(user, id);
    const feed = await this.feeds.mine(user, id).then(CalendarFeedResponse.from, (err: unknown) => {
      if (err instanceof NotFoundException) return null;
      throw err;
    });
    const token = feed ? takeShownOnce(req, `calendar:${id}`) : null;
    const base = this.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
    const path = `/${API_PREFIX}/calendar/${token}.ics`;
    await renderPage(req, reply, 'consultations/views/calendar.njk', {
      pageTitle: 'Subscribe in your calendar',
      c: { id: c.id, title: c.title },
      feed,
      url: token ? `${base}${path}` : null,
      webcalUrl: token ? `${base.replace(/^https?:/, 'webcal:')}${path}` : null,
    });
  }

  @Post('consultations/:id/calendar')
  @Roles(...READ_ROLES)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const { token } = await this.feeds.create(user, id);
    keepShownOnce(req, `calendar:${id}`, token);
    await redirectTo(req, reply, `/consultations/${id}/calendar`, { kind: 'success', text: 'Your calendar link is ready. Copy it now: it is shown only once.' });
  }

  @Post('consultations/:id/calendar/revoke')
  @Roles(...READ_ROLES)
  async revoke(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    await this.consultations.get(user, id); // out of scope: 404
    await this.feeds.revokeMine(user, id).catch((err: unknown) => {
      if (!(err instanceof NotFoundException)) throw err; // already revoked: nothing to do
    });
    await redirectTo(req, reply, `/consultations/${id}/calendar`, { kind: 'success', text: 'Your calendar link has stopped working. Calendars subscribed to it will no longer update.' });
  }
}
