import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import { AppConfig } from '../config/app-config';
import type { AuthUser } from '../common/access/auth-user';
import { Role } from '../common/access/role.enum';
import { ApiException } from '../common/errors/api-error';
import { errorBody, mapException } from '../common/errors/all-exceptions.filter';
import { JobProducer } from '../queue/job-producer.service';
import { QueueName } from '../queue/queue.contract';
import { bounded, queueUnavailable } from '../redis/bounded';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The browser says the request comes from this site (Sec-Fetch-Site, else Origin against Host). */
export function sameOrigin(request: Pick<FastifyRequest, 'headers'>): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !request.headers.host) return false;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
const REALM = 'Basic realm="wtt queue dashboard", charset="UTF-8"';

/**
 * The credential of a dashboard request: `Authorization: Bearer <access or API token>`, or,
 * for a browser, HTTP Basic with any user name and an API token (or access token) as the
 * password, so the browser's own sign-in prompt works and every later request carries it.
 */
export function dashboardToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization);
  if (!basic) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return password || null;
}

/**
 * Bull Board at /admin/queues, for admins only. The dashboard is a Fastify plugin, not a Nest
 * route, so the global AuthGuard never sees it: an onRequest hook in the plugin's own scope
 * checks the token through AuthService and the admin role before any dashboard route runs.
 * Refusals use the one error shape.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private readonly logger = new Logger('QueueDashboard');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: AuthService,
    private readonly producer: JobProducer,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.register !== 'function') return; // not an HTTP application
    const board = new BullBoardFastifyAdapter();
    board.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: this.producer.dashboardQueues().map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'wtt queues' } },
    });
    // Queued, not awaited: awaiting would boot Fastify's plugins now, before Nest has set its error
    // handler, and Nest's routes would then answer parser errors outside the one error shape.
    void fastify.register(
      async (scope: FastifyInstance) => {
        scope.addHook('onRequest', (request, reply) => this.guard(request, reply));
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_DASHBOARD_PATH },
    );
    this.logger.log(`queue dashboard at ${QUEUE_DASHBOARD_PATH} (admins only)`);
  }

  private async guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let user: AuthUser;
    try {
      const token = dashboardToken(request.headers.authorization);
      const session = token ? null : await this.pageSession(request);
      if (!token && !session) throw new ApiException(401, 'Sign in first: send Authorization: Bearer <token>, or Basic with an API token as the password');
      user = session ?? (await this.auth.authenticate(token as string));
    } catch (err) {
      return this.refuse(request, reply, err, true);
    }
    if (user.role !== Role.Admin) return this.refuse(request, reply, new ApiException(403, 'Only admin may open the queue dashboard'), false);
    // A hung or unreachable Redis: answer 503 with Retry-After at once rather than let the dashboard's queue calls wait on it.
    try {
      await bounded(this.producer.jobCounts(QueueName.System, 'waiting'), this.config.REDIS_COMMAND_TIMEOUT_MS);
    } catch {
      return this.refuse(request, reply, queueUnavailable(), false);
    }
  }

  /**
   * An admin who signed in to the pages (the Admin page links here) may use their session, as the
   * AuthGuard accepts it on pages: same idle and age limits, same token-version check. A change
   * (retry, clean, pause) through the session must come from this site itself: the cookie is
   * SameSite=Lax, and the browser's Sec-Fetch-Site or Origin must say same-origin.
   */
  private async pageSession(request: FastifyRequest): Promise<AuthUser | null> {
    const session = (request as FastifyRequest & { session?: FastifyRequest['session'] }).session;
    const uid = session?.get('uid');
    const tv = session?.get('tv');
    if (!session || !uid || typeof tv !== 'number') return null;
    const now = Math.floor(Date.now() / 1000);
    if (now - (session.get('seen') ?? 0) > this.config.SESSION_IDLE_MINUTES * 60 || now - (session.get('started') ?? 0) > this.config.SESSION_MAX_HOURS * 3600) return null;
    if (!SAFE_METHODS.has(request.method) && !sameOrigin(request)) throw new ApiException(403, 'A change from the queue dashboard must come from this site');
    return this.auth.authenticateSession(uid, tv);
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, err: unknown, challenge: boolean): FastifyReply {
    const mapped = mapException(err);
    // A browser with no credential at all (no session, no Authorization): the sign-in page, then back here.
    if (mapped.status === 401 && !request.headers.authorization && request.method === 'GET' && /text\/html/.test(String(request.headers.accept ?? ''))) {
      return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(QUEUE_DASHBOARD_PATH)}`, 303);
    }
    if (challenge && mapped.status === 401) reply.header('www-authenticate', REALM);
    const retryAfter = mapped.details?.find((d) => typeof d.retryAfterSeconds === 'number')?.retryAfterSeconds;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply
      .status(mapped.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody(mapped, String(request.id ?? '')));
  }
}
