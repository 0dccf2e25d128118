import { Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { API_PREFIX } from '../common/http/api-prefix';
import { publicUrl, webcalUrl } from '../common/http/public-url';
import { AppConfig } from '../config/app-config';
import type { AuthUser } from '../common/access/auth-user';
import { CurrentUser, Public, Roles } from '../common/access/decorators';
import { ErrorResponse } from '../common/errors/api-error';
import { CalendarFeedsService } from './calendar-feeds.service';
import { MANAGE_ROLES, READ_ROLES } from '../common/access/programme-access';
import { CalendarFeedCreatedResponse, CalendarFeedResponse } from './dto/calendar-feed.dto';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('consultations')
@Controller()
export class CalendarFeedsController {
  constructor(
    private readonly feeds: CalendarFeedsService,
    private readonly config: AppConfig,
  ) {}

  @Post('consultations/:id/calendar-feed')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Your secret calendar URL for the consultation (a new one each time; the previous one stops working)' })
  @ApiCreatedResponse({ type: CalendarFeedCreatedResponse })
  async create(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<CalendarFeedCreatedResponse> {
    const { feed, token } = await this.feeds.create(user, id);
    // From PUBLIC_BASE_URL, never the request's Host header (a client could point the link anywhere).
    const url = publicUrl(this.config.PUBLIC_BASE_URL, `${API_PREFIX}/calendar/${token}.ics`);
    return { ...CalendarFeedResponse.from(feed), url, webcalUrl: webcalUrl(url) };
  }

  @Get('consultations/:id/calendar-feed')
  @Roles(...READ_ROLES)
  @ApiOperation({ summary: 'Whether you have a working calendar URL for the consultation (the secret is not shown again)' })
  @ApiOkResponse({ type: CalendarFeedResponse })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async mine(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<CalendarFeedResponse> {
    return CalendarFeedResponse.from(await this.feeds.mine(user, id));
  }

  @Delete('consultations/:id/calendar-feed')
  @Roles(...READ_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke your calendar URL: it answers 404 from now on' })
  @ApiNoContentResponse()
  async revokeMine(@CurrentUser() user: AuthUser, @Param('id', uuid) id: string): Promise<void> {
    await this.feeds.revokeMine(user, id);
  }

  @Delete('calendar-feeds/:feedId')
  @Roles(...MANAGE_ROLES)
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke anyone’s calendar URL' })
  @ApiNoContentResponse()
  async revoke(@Param('feedId', uuid) feedId: string): Promise<void> {
    await this.feeds.revoke(feedId);
  }

  /** Public: calendar apps cannot send a bearer token, so the secret in the URL is the credential. */
  @Get('calendar/:token.ics')
  @Public()
  @Header('content-type', 'text/calendar; charset=utf-8')
  @Header('cache-control', 'private, no-cache')
  @Header('content-disposition', 'inline; filename="consultation.ics"')
  @ApiOperation({ summary: 'The consultation calendar (RFC 5545) behind a secret URL; 404 once revoked' })
  @ApiProduces('text/calendar')
  @ApiOkResponse({ description: 'text/calendar' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async ics(@Param('token') token: string): Promise<string> {
    return this.feeds.render(token);
  }
}
