import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service';
import type { AuthUser } from '../auth/auth-user';
import { Role } from '../auth/role.enum';
import { ApiException } from '../common/errors/api-error';
import { errorBody, mapException } from '../common/errors/all-exceptions.filter';
import { JobProducer } from '../queue/job-producer.service';
import { QueueName } from '../queue/queue.contract';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
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
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.register !== 'function') return; // not an HTTP application
    const board = new BullBoardFastifyAdapter();
    board.setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: Object.values(QueueName).map((name) => new BullMQAdapter(this.producer.queue(name), { readOnlyMode: false })),
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
      if (!token) throw new ApiException(401, 'Sign in first: send Authorization: Bearer <token>, or Basic with an API token as the password');
      user = await this.auth.authenticate(token);
    } catch (err) {
      return this.refuse(request, reply, err, true);
    }
    if (user.role !== Role.Admin) return this.refuse(request, reply, new ApiException(403, 'Only admin may open the queue dashboard'), false);
  }

  private refuse(request: FastifyRequest, reply: FastifyReply, err: unknown, challenge: boolean): FastifyReply {
    const mapped = mapException(err);
    if (challenge && mapped.status === 401) reply.header('www-authenticate', REALM);
    return reply
      .status(mapped.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody(mapped, String(request.id ?? '')));
  }
}
