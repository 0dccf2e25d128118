import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { ApiException, ErrorResponse } from '../common/errors/api-error';
import { Public } from '../common/access/decorators';
import { InjectRedis } from '../redis/redis.module';

@ApiTags('health')
@SkipThrottle()
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectRedis() private readonly redis: Redis,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness: Postgres and Redis answer, and no migration is pending' })
  @ApiOkResponse({ description: 'Ready' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'A dependency is down; details name it' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database').withTimeout(1000),
        () =>
          this.indicators
            .check('redis')
            .attempt(async () => {
              if ((await this.redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
            })
            .withTimeout(1000),
        () =>
          this.indicators
            .check('migrations')
            .attempt(async () => {
              const pending = await this.pendingMigrations();
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
        throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, 'Not ready', details);
      }
      throw err;
    }
  }

  private async pendingMigrations(): Promise<string[]> {
    const table = this.dataSource.options.migrationsTableName ?? 'migrations';
    const rows: { name: string }[] = await this.dataSource.query(`SELECT name FROM "${table}"`).catch(() => []);
    const applied = new Set(rows.map((r) => r.name));
    return this.dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
  }
}
