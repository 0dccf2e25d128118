import { Controller, Get, Header, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiException, ErrorResponse } from '../common/errors/api-error';
import { Public } from '../common/access/decorators';
import { InjectRedis } from '../redis/redis.module';
import { RedisDegradation } from '../redis/redis-degradation';
import { isDatabaseUnavailable } from '../common/errors/db-unavailable';

@ApiTags('health')
@SkipThrottle()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectRedis() private readonly redis: Redis,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly degradation: RedisDegradation,
  ) {}

  /** Answered first by the onRequest hook in app.setup.ts (same body); this route documents it and serves `/health/live?…`. */
  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary:
      'Readiness: Postgres and Redis answer, and no migration is pending. A down dependency is named in details: ' +
      '"database: down: unreachable" (PostgreSQL does not answer; migrations are then "not checked"), "migrations: down: pending: …", ' +
      '"redis: down: …"; a Redis that answered but recently failed a request path says "redis: up" with "degraded" in info',
  })
  @ApiOkResponse({ description: 'Ready' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'A dependency is down; details name it' })
  async ready(): Promise<HealthCheckResult> {
    let databaseUp = true;
    try {
      return await this.health.check([
        () =>
          this.indicators
            .check('database')
            .attempt(async () => {
              try {
                await this.dataSource.query('SELECT 1');
              } catch (err) {
                throw new Error(isDatabaseUnavailable(err) ? 'unreachable' : err instanceof Error ? err.message : String(err), { cause: err });
              }
            })
            .withTimeout(1000),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
              const degraded = this.degradation.recentFailure();
              return degraded ? { degraded: `a request went on without Redis in the last 30 s (${degraded})` } : {};
            })
            .withTimeout(1000),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              const pending = await this.pendingMigrations();
              if (pending === 'unreachable') {
                databaseUp = false;
                throw new Error('not checked: database unreachable');
              }
              if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
            })
            .withTimeout(1000),
      ]);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        const body = err.getResponse() as HealthCheckResult;
        const details = Object.entries(body.error ?? {}).map(([field, v]) => ({
          field,
          reason: `down${typeof v?.message === 'string' ? `: ${v.message}` : ''}`,
        }));
        throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, databaseUp ? 'Not ready' : 'Not ready: database unreachable', details);
      }
      throw err;
    }
  }

  /** Migrations not applied yet, or 'unreachable' when the database cannot be asked (never "all pending" because PostgreSQL is down). */
  private async pendingMigrations(): Promise<string[] | 'unreachable'> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    let rows: { name: string }[];
    try {
      rows = await this.dataSource.query(`SELECT name FROM "${table}"`);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return 'unreachable';
      rows = []; // no migrations table yet: every migration is pending
    }
    const applied = new Set(rows.map((r) => r.name));
    return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
  }
}
