import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles } from '../../common/access/decorators';
import { ALL_ROLES } from '../../common/access/role.enum';
import { isDateOnly, todayInLondon } from '../../common/dates';
import { safeReturnTo } from '../error-pages';
import { fieldError, formFields } from '../forms';
import { redirectTo, renderPage, viewAsOf } from '../page-context';

/** The footer's pages (open to everyone) and the "View as at" date of the session. */
@ApiExcludeController()
@Controller()
export class StaticPages {
  @Get('accessibility')
  @Public()
  accessibility(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return renderPage(req, reply, 'web/views/pages/accessibility.njk', { pageTitle: 'Accessibility statement' });
  }

  @Get('cookies')
  @Public()
  cookies(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return renderPage(req, reply, 'web/views/pages/cookies.njk', { pageTitle: 'Cookies' });
  }

  @Get('help')
  @Public()
  help(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return renderPage(req, reply, 'web/views/pages/help.njk', { pageTitle: 'Help' });
  }

  @Get('as-at')
  @Roles(...ALL_ROLES)
  asAt(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('returnTo') returnTo?: string) {
    const [year, month, day] = viewAsOf(req).split('-');
    return renderPage(req, reply, 'web/views/pages/as-at.njk', { pageTitle: 'View the service as at a date', values: { day: String(Number(day)), month: String(Number(month)), year }, returnTo: safeReturnTo(returnTo) ?? '' });
  }

  @Post('as-at')
  @Roles(...ALL_ROLES)
  async setAsAt(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const f = formFields(body);
    const back = safeReturnTo(f.returnTo) ?? '/';
    if (f.action === 'today' || (body as Record<string, unknown>)?.action === 'today') {
      req.session.set('asOf', undefined);
      return redirectTo(req, reply, back, { kind: 'success', text: 'You are viewing the service as it is today.' });
    }
    const [d, m, y] = [f['asOf-day'], f['asOf-month'], f['asOf-year']].map((v) => (typeof v === 'string' ? v : ''));
    const iso = `${y.padStart(4, '0')}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    const values = { day: d, month: m, year: y };
    const again = (text: string) =>
      renderPage(req, reply, 'web/views/pages/as-at.njk', { pageTitle: 'View the service as at a date', values, returnTo: back === '/' ? '' : back, errors: { ...fieldError('asOf-day', text) , fields: { asOf: { text } } } }, 400);
    if (!d || !m || !y) return again('Enter the date as a day, month and year, like 1 3 2017');
    if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y) || !isDateOnly(iso)) return again('Enter a real date, like 1 3 2017');
    if (iso < '2000-01-01' || iso > '2099-12-31') return again('Enter a date between 2000 and 2099');
    req.session.set('asOf', iso === todayInLondon() ? undefined : iso);
    await redirectTo(req, reply, back, { kind: 'success', text: `You are viewing the service as at ${Number(d)}/${Number(m)}/${y}.` });
  }
}
