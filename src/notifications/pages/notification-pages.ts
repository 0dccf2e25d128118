import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/access/auth-user';
import { CurrentUser, Roles } from '../../common/access/decorators';
import { ALL_ROLES, Role } from '../../common/access/role.enum';
import { int, isStale, list, mergeErrors, pageErrors, text } from '../../web/page-forms';
import { UuidParam } from '../../common/http/uuid-param';
import { ProgrammesService } from '../../establishment/programmes.service';
import { DomainEventType } from '../../events/domain-event';
import { formFields, readForm } from '../../web/forms';
import { FormErrors, formErrors, redirectTo, renderPage } from '../../web/page-context';
import { DeliveriesService } from '../deliveries.service';
import { DeliveryResponse } from '../dto/delivery.dto';
import { FeedItemResponse } from '../dto/feed.dto';
import { CreateWebhookDto, WebhookResponse } from '../dto/webhook-subscription.dto';
import { NotificationFeedService } from '../notification-feed.service';
import { NotificationChannel, NotificationStatus } from '../notification.types';
import { WebhooksService } from '../webhooks.service';
import { keepShownOnce, takeShownOnce } from '../../web/shown-once';

const PAGE = 50;

/** The caller's in-app notifications: unread first, mark one or all read. */
@ApiExcludeController()
@Controller()
export class NotificationPages {
  constructor(private readonly feed: NotificationFeedService) {}

  @Get('notifications')
  @Roles(...ALL_ROLES)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const [unread, read] = await Promise.all([this.feed.list(user, { unread: true, limit: PAGE }), this.feed.list(user, { unread: false, limit: PAGE })]);
    await renderPage(req, reply, 'notifications/views/notifications.njk', {
      pageTitle: 'Notifications',
      unread: unread.items.map(FeedItemResponse.from),
      read: read.items.map(FeedItemResponse.from),
      unreadCount: unread.unreadCount,
      moreUnread: unread.nextCursor !== null,
    });
  }

  @Post('notifications/read-all')
  @Roles(...ALL_ROLES)
  async readAll(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    const n = await this.feed.markAllRead(user);
    await redirectTo(req, reply, '/notifications', { kind: 'success', text: n ? `${n} notification${n === 1 ? '' : 's'} marked as read.` : 'You have no unread notifications.' });
  }

  @Post('notifications/:id/read')
  @Roles(...ALL_ROLES)
  async read(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    const item = await this.feed.markRead(user, id);
    await redirectTo(req, reply, '/notifications', { kind: 'success', text: `Marked as read: ${item.subject}` });
  }
}

const CHANNEL_LABELS: Record<NotificationChannel, string> = { [NotificationChannel.Email]: 'Email', [NotificationChannel.Webhook]: 'Webhook', [NotificationChannel.InApp]: 'In-app' };

const POSSIBLY_DELIVERED = 'possibly_delivered';

/** Admins: deliveries by status (failed ones with their error) and a retry button; deliveries possibly received more than once. */
@ApiExcludeController()
@Controller()
export class DeliveryPages {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get('admin/deliveries')
  @Roles(Role.Admin)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('status') statusQ?: string, @Query('cursor') cursor?: string): Promise<void> {
    // `possibly_delivered`: deliveries that may have reached their receiver more than once (any status).
    const possibly = statusQ === POSSIBLY_DELIVERED;
    const status = (Object.values(NotificationStatus) as string[]).includes(statusQ ?? '') ? (statusQ as NotificationStatus) : NotificationStatus.Failed;
    const page = await this.deliveries.list({
      status,
      possiblyDelivered: possibly ? 'true' : undefined,
      limit: PAGE,
      cursor: cursor && /^\d{1,19}$/.test(cursor) ? cursor : undefined,
    });
    const view = possibly ? POSSIBLY_DELIVERED : status;
    await renderPage(req, reply, 'notifications/views/deliveries.njk', {
      pageTitle: 'Deliveries',
      status: view,
      caption: possibly ? 'Deliveries possibly received more than once, newest first' : `${status.charAt(0).toUpperCase() + status.slice(1)} deliveries, newest first`,
      statuses: [
        ...Object.values(NotificationStatus).map((s) => ({ value: s, text: s.charAt(0).toUpperCase() + s.slice(1), selected: s === view })),
        { value: POSSIBLY_DELIVERED, text: 'Possibly received more than once', selected: possibly },
      ],
      items: page.items.map(DeliveryResponse.from).map((d) => ({ ...d, channelLabel: CHANNEL_LABELS[d.channel] })),
      nextCursor: page.nextCursor,
    });
  }

  @Post('admin/deliveries/:id/retry')
  @Roles(Role.Admin)
  async retry(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string): Promise<void> {
    try {
      const d = await this.deliveries.retry(id);
      await redirectTo(req, reply, '/admin/deliveries', { kind: 'success', text: `Delivery queued again: ${d.subject} (${CHANNEL_LABELS[d.channel].toLowerCase()} to ${d.address ?? d.recipientKey}).` });
    } catch (err) {
      formErrors(err); // anything but a client error (a 404, a 5xx) becomes its error page
      await redirectTo(req, reply, '/admin/deliveries', { kind: 'important', title: 'Not retried', text: err instanceof Error ? err.message : 'The delivery could not be retried.' });
    }
  }
}

const EVENT_LABELS: Record<DomainEventType, string> = {
  [DomainEventType.MilestoneUpcoming]: 'Milestone coming up',
  [DomainEventType.MilestoneReached]: 'Milestone reached',
  [DomainEventType.MilestoneMissed]: 'Milestone missed',
  [DomainEventType.ConsultationOpened]: 'Consultation opened',
  [DomainEventType.ConsultationExtended]: 'Consultation extended',
  [DomainEventType.ConsultationClosed]: 'Consultation closed',
  [DomainEventType.ForumMeetingScheduled]: 'Forum meeting scheduled',
  [DomainEventType.ForumMeetingChanged]: 'Forum meeting changed',
  [DomainEventType.ForumMeetingCancelled]: 'Forum meeting cancelled',
  [DomainEventType.ForumMinutesPublished]: 'Forum minutes published',
  [DomainEventType.RepresentationAnswered]: 'Representation answered',
  [DomainEventType.CaseStateChanged]: 'Case changed state',
  [DomainEventType.DeadlinesOverdue]: 'Deadlines overdue (digest)',
};
const WEBHOOK_LABELS = { name: 'Name', url: 'Web address (URL)', eventTypes: 'Events', programmeId: 'Programme' };

/** Admins: webhook subscriptions; create (the secret shown once), rotate the secret, delete. */
@ApiExcludeController()
@Controller()
export class WebhookPages {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly programmes: ProgrammesService,
  ) {}

  @Get('admin/webhooks')
  @Roles(Role.Admin)
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const items = (await this.webhooks.list()).map(WebhookResponse.from);
    await renderPage(req, reply, 'notifications/views/webhooks.njk', { pageTitle: 'Webhooks', items: items.map((w) => ({ ...w, events: w.eventTypes.length ? w.eventTypes.map((t) => EVENT_LABELS[t as DomainEventType] ?? t).join(', ') : 'Every event' })) });
  }

  @Get('admin/webhooks/new')
  @Roles(Role.Admin)
  async newForm(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser): Promise<void> {
    await this.renderForm(req, reply, user, {});
  }

  @Post('admin/webhooks/new')
  @Roles(Role.Admin)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @CurrentUser() user: AuthUser, @Body() body: unknown): Promise<void> {
    const f = formFields(body);
    const own = pageErrors({ name: !text(f, 'name') ? 'Enter a name' : undefined, url: !text(f, 'url') ? 'Enter the web address the events are sent to' : undefined });
    const form = await readForm(CreateWebhookDto, { name: text(f, 'name'), url: text(f, 'url'), eventTypes: list(f, 'eventTypes'), programmeId: text(f, 'programmeId') ?? null }, WEBHOOK_LABELS);
    const errors = mergeErrors(own, form.errors);
    if (errors || !form.value) return this.renderForm(req, reply, user, f, errors, 400);
    try {
      const w = await this.webhooks.create(user, form.value);
      keepShownOnce(req, `webhook:${w.id}`, w.secret);
      await redirectTo(req, reply, `/admin/webhooks/${w.id}`, { kind: 'success', text: `Webhook ${w.name} created. Copy its signing secret now: it is shown only once.` });
    } catch (err) {
      const e = formErrors(err, WEBHOOK_LABELS);
      return this.renderForm(req, reply, user, f, e, e.status);
    }
  }

  @Get('admin/webhooks/:id')
  @Roles(Role.Admin)
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string): Promise<void> {
    await this.renderOne(req, reply, id);
  }

  @Post('admin/webhooks/:id/rotate')
  @Roles(Role.Admin)
  async rotate(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string, @Body() body: unknown): Promise<void> {
    await this.webhooks.get(id);
    const version = int(text(formFields(body), 'version'));
    try {
      const w = await this.webhooks.rotateSecret(id, typeof version === 'number' ? version : 0);
      keepShownOnce(req, `webhook:${id}`, w.secret);
      await redirectTo(req, reply, `/admin/webhooks/${id}`, { kind: 'success', text: 'Signing secret replaced. Copy the new one now: it is shown only once, and the old one no longer signs deliveries.' });
    } catch (err) {
      const e = formErrors(err);
      return this.renderOne(req, reply, id, isStale(e) ? { ...e, errorList: [{ text: 'Someone else changed this webhook while you were looking at it. Check it and try again.', href: '#main-content' }] } : e, e.status);
    }
  }

  @Get('admin/webhooks/:id/delete')
  @Roles(Role.Admin)
  async confirmDelete(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string): Promise<void> {
    const w = WebhookResponse.from(await this.webhooks.get(id));
    await renderPage(req, reply, 'notifications/views/webhook-delete.njk', { pageTitle: `Delete webhook ${w.name}`, w });
  }

  @Post('admin/webhooks/:id/delete')
  @Roles(Role.Admin)
  async remove(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @UuidParam('id') id: string): Promise<void> {
    const w = await this.webhooks.get(id);
    await this.webhooks.remove(id);
    await redirectTo(req, reply, '/admin/webhooks', { kind: 'success', text: `Webhook ${w.name} deleted, with its delivery history.` });
  }

  private async renderOne(req: FastifyRequest, reply: FastifyReply, id: string, errors?: FormErrors, status = 200): Promise<void> {
    const w = WebhookResponse.from(await this.webhooks.get(id));
    const secret = takeShownOnce(req, `webhook:${id}`);
    await renderPage(
      req,
      reply,
      'notifications/views/webhook.njk',
      { pageTitle: `Webhook ${w.name}`, w, secret, errors, events: w.eventTypes.length ? w.eventTypes.map((t) => EVENT_LABELS[t as DomainEventType] ?? t) : ['Every event'] },
      status,
    );
  }

  private async renderForm(req: FastifyRequest, reply: FastifyReply, user: AuthUser, values: Record<string, unknown>, errors?: FormErrors, status = 200): Promise<void> {
    const chosen = Array.isArray(values.eventTypes) ? values.eventTypes : typeof values.eventTypes === 'string' ? [values.eventTypes] : [];
    const programmes = await this.programmes.list(user);
    await renderPage(
      req,
      reply,
      'notifications/views/webhook-form.njk',
      {
        pageTitle: 'Add a webhook',
        values,
        errors,
        events: Object.values(DomainEventType).map((t) => ({ value: t, text: EVENT_LABELS[t], checked: chosen.includes(t) })),
        programmes: [{ value: '', text: 'Every programme' }, ...programmes.map((p) => ({ value: p.id, text: p.name }))],
      },
      status,
    );
  }
}
