import SwaggerParser from '@apidevtools/swagger-parser';
import { Role } from '../../src/common/access/role.enum';
import { createUser } from '../support/auth';
import { eventually, expectErrorShape, startTestApp, TestContext } from '../support/test-app';

describe('foundation: errors, request ids, docs, security headers, smoke job', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({ worker: true });
    const admin = await createUser(ctx, Role.Admin);
    headers = admin.headers;
  });
  let headers: Record<string, string>;
  const post = (payload: unknown) => ctx.api.post('/api/v1/system/smoke-jobs', payload, { headers });
  afterAll(async () => ctx?.close());

  describe('one error shape', () => {
    it('rejects an unknown body field with 400 naming the field', async () => {
      const res = await post({ message: 'hi', colour: 'red' });
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual([{ field: 'colour', reason: 'is not an allowed field' }]);
    });

    it('rejects a wrong type with 400 naming the field and the reason', async () => {
      const res = await post({ message: 42 });
      expectErrorShape(res, 400);
      expect(res.body.details).toEqual([{ field: 'message', reason: 'must be a string' }]);
    });

    it('rejects a malformed JSON body with 400', async () => {
      const res = await ctx.api.request('POST', '/api/v1/system/smoke-jobs', { raw: '{"message": "hi",', headers });
      expectErrorShape(res, 400);
      expect(res.body.message).toBe('Malformed JSON body');
      expect(res.body.details).toEqual([{ field: 'body', reason: 'is not valid JSON' }]);
    });

    it('rejects an unsupported content type with 415', async () => {
      const res = await ctx.api.request('POST', '/api/v1/system/smoke-jobs', { raw: 'message=hi', headers: { ...headers, 'content-type': 'text/csv' } });
      expectErrorShape(res, 415);
    });

    it('answers an unknown route with 404 in the same shape', async () => {
      const res = await ctx.api.get('/api/v1/no-such-thing');
      expectErrorShape(res, 404);
      expect(res.body.error).toBe('Not Found');
    });

    it('rejects a malformed id with 400, not 500', async () => {
      const res = await ctx.api.get('/api/v1/system/smoke-jobs/not-a-uuid', { headers });
      expectErrorShape(res, 400);
    });

    it('answers a well-formed id that does not exist with 404', async () => {
      const res = await ctx.api.get('/api/v1/system/smoke-jobs/4b0b2c8e-8a6f-4d3e-9d55-6a1f2b3c4d5e', { headers });
      expectErrorShape(res, 404);
    });
  });

  describe('request ids', () => {
    it('mints a request id and returns it as a header', async () => {
      const res = await ctx.api.get('/health/live');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("keeps the caller's sane X-Request-Id and replaces an unsafe one", async () => {
      const kept = await ctx.api.get('/health/live', { headers: { 'x-request-id': 'abc-123' } });
      expect(kept.headers['x-request-id']).toBe('abc-123');
      const replaced = await ctx.api.get('/health/live', { headers: { 'x-request-id': 'bad id\twith spaces' } });
      expect(replaced.headers['x-request-id']).not.toBe('bad id\twith spaces');
    });
  });

  describe('security headers and docs', () => {
    it('sends helmet security headers', async () => {
      const res = await ctx.api.get('/health/live');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['x-frame-options']).toBeDefined();
    });

    it('serves the OpenAPI document at /docs/json with routes under /api/v1', async () => {
      const res = await ctx.api.get('/docs/json');
      expect(res.statusCode).toBe(200);
      expect(res.body.openapi).toMatch(/^3\./);
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/system/smoke-jobs', '/health/ready']));
    });

    it('serves an OpenAPI document that validates as a whole: schema, and every $ref resolves', async () => {
      const res = await ctx.api.get('/docs/json');
      // validate() checks the document against the OpenAPI 3 schema and dereferences every $ref
      // (a dangling one, like the FieldChange the audit DTO once pointed at, fails here).
      await expect(SwaggerParser.validate(structuredClone(res.body))).resolves.toBeDefined();
      const refs = [...JSON.stringify(res.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
      expect(refs.length).toBeGreaterThan(50);
      expect(refs.filter((name) => !(name in res.body.components.schemas))).toEqual([]);
    });

    it('serves the docs UI at /docs', async () => {
      const res = await ctx.api.get('/docs');
      expect(res.statusCode).toBe(200);
      expect(res.text).toContain('swagger-ui');
    });
  });

  describe('smoke job: API enqueues, worker processes, API shows the result', () => {
    it('round-trips through Redis and the worker', async () => {
      const created = await post({ message: 'hello worker' });
      expect(created.statusCode).toBe(202);
      expect(created.body).toMatchObject({ status: 'queued', message: 'hello worker', processedAt: null });
      const done = await eventually(
        () => ctx.api.get(`/api/v1/system/smoke-jobs/${created.body.id}`, { headers }),
        (r) => r.body.status === 'processed',
      );
      expect(done.body.status).toBe('processed');
      expect(done.body.processedBy).toMatch(/:\d+$/);
      expect(new Date(done.body.processedAt).getTime()).toBeGreaterThanOrEqual(new Date(done.body.createdAt).getTime());
    });
  });
});
