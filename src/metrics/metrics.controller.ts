import { Controller, Get, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Public } from '../common/access/decorators';
import { AppConfig } from '../config/app-config';
import { MetricsService } from './metrics.service';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics for Prometheus (outside /api/v1). Not behind the user sign-in: a scraper
 * cannot sign in, so it sends a static METRICS_TOKEN as a bearer token instead. Without a
 * token configured the route is open in development and test (nothing personal is exported:
 * counts only) and answers 404 in production.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.checkAccess(authorization);
    const body = await this.metrics.render();
    reply.header('content-type', this.metrics.contentType);
    reply.header('cache-control', 'no-store');
    return body;
  }

  private checkAccess(authorization: string | undefined): void {
    const token = this.config.METRICS_TOKEN;
    if (!token) {
      if (this.config.isProduction) throw new NotFoundException('Cannot GET /metrics');
      return;
    }
    const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), digest(token))) throw new UnauthorizedException('Send Authorization: Bearer <METRICS_TOKEN>');
  }
}
