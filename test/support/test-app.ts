import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { WorkerModule } from '../../jobs/worker.module';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import { createTestDatabase, TestDatabase } from './test-db';

export interface TestResponse<T = any> {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  payload?: unknown;
  /** Send this exact string as the body (e.g. malformed JSON). */
  raw?: string;
}

export class TestApi {
  constructor(readonly app: NestFastifyApplication) {}

  async request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let payload: string | undefined;
    if (opts.raw !== undefined) {
      payload = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.payload !== undefined) {
      payload = JSON.stringify(opts.payload);
      headers['content-type'] ??= 'application/json';
    }
    const res = await this.app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown = res.body;
    if (String(res.headers['content-type'] ?? '').includes('json') && res.body.length) body = JSON.parse(res.body);
    return { statusCode: res.statusCode, headers: res.headers, body: body as T, text: res.body };
  }

  get<T = any>(url: string, opts?: RequestOptions) {
    return this.request<T>('GET', url, opts);
  }
  post<T = any>(url: string, payload?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', url, { ...opts, payload });
  }
  patch<T = any>(url: string, payload?: unknown, opts?: RequestOptions) {
    return this.request<T>('PATCH', url, { ...opts, payload });
  }
  put<T = any>(url: string, payload?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', url, { ...opts, payload });
  }
  delete<T = any>(url: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', url, opts);
  }
}

export interface TestContext {
  api: TestApi;
  app: NestFastifyApplication;
  worker?: INestApplicationContext;
  db: TestDatabase;
  redisUrl: string;
  redisPrefix: string;
  /** A plain pg client on this test file's database, as the superuser, for setup, assertions and raw SQL (the app itself connects as the runtime role). */
  sql: Client;
  /** Start a second API instance on the same database and Redis (e.g. shared rate limits). */
  startAnotherApi(): Promise<NestFastifyApplication>;
  close(): Promise<void>;
}

export interface StartOptions {
  worker?: boolean;
  redisUrl?: string;
  env?: Record<string, string>;
}

async function createApi(): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), { logger: false });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export async function startWorker(): Promise<INestApplicationContext> {
  const worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false, abortOnError: false });
  await worker.init();
  return worker;
}

/**
 * Boot the real API (and optionally the real worker) on this test file's own
 * database (cloned from the migrated template) and its own Redis key prefix.
 */
export async function startTestApp(opts: StartOptions = {}): Promise<TestContext> {
  const db = await createTestDatabase();
  const redisUrl = opts.redisUrl ?? process.env.WTT_TEST_REDIS_URL!;
  const redisPrefix = `t${randomBytes(5).toString('hex')}`;
  Object.assign(process.env, { DATABASE_URL: db.url, REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix }, opts.env ?? {});
  const app = await createApi();
  const worker = opts.worker ? await startWorker() : undefined;
  const sql = new Client({ connectionString: db.adminUrl });
  await sql.connect();
  const extra: NestFastifyApplication[] = [];
  return {
    api: new TestApi(app),
    app,
    worker,
    db,
    redisUrl,
    redisPrefix,
    sql,
    startAnotherApi: async () => {
      const another = await createApi();
      extra.push(another);
      return another;
    },
    close: async () => {
      await sql.end();
      for (const a of extra) await a.close();
      await worker?.close();
      await app.close();
      await db.drop();
    },
  };
}

export async function eventually<T>(fn: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 10000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, stepMs));
  } while (Date.now() < until);
  return last;
}

/** Assert a response is in the one error shape. */
export function expectErrorShape(res: TestResponse, status: number): void {
  expect(res.statusCode).toBe(status);
  expect(res.body).toEqual(
    expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String), requestId: expect.any(String) }),
  );
  expect(res.headers['x-request-id']).toBe(res.body.requestId);
}
