import { connect } from 'node:net';
import { Role } from '../../src/common/access/role.enum';
import { SECURITY_HEADERS } from '../../src/app.setup';
import { createUser, TestUser } from '../support/auth';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

const TOP_LEVEL = ['details', 'error', 'message', 'requestId', 'statusCode'];

/** Issue 17: answers outside the error shape, and exposure (cache, docs, metrics). */
describe('hardening: every answer in the one error shape, nothing cached, nothing exposed', () => {
  let ctx: TestContext;
  let hr: TestUser;

  beforeAll(async () => {
    ctx = await startTestApp();
    hr = await createUser(ctx, Role.HrOfficer);
  });
  afterAll(async () => ctx?.close());

  it("Fastify's own 414 (a path parameter over 100 characters, before sign-in) has the request id, the security headers and the shape, and does not echo the path", async () => {
    const long = 'a'.repeat(150);
    const res = await ctx.api.get(`/api/v1/posts/${long}`);
    expectErrorShape(res, 414);
    expect(res.text).not.toContain(long);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect({ [k]: res.headers[k] }).toEqual({ [k]: v });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('the hard-coded security headers are exactly what helmet sets on a routed answer', async () => {
    const res = await ctx.api.get('/api/v1/me', { headers: hr.headers });
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect({ [k]: res.headers[k] }).toEqual({ [k]: v });
  });

  it("Node's own 431 (headers too large) comes in the error shape with a request id and the security headers", async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.getHttpServer().address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`));
      let data = '';
      socket.on('data', (d) => (data += d.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]));
    const json = JSON.parse(body);
    expect(json).toEqual({ statusCode: 431, error: 'Request Header Fields Too Large', message: 'The request headers are too large', requestId: headers['x-request-id'] });
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect({ [k]: headers[k] }).toEqual({ [k]: v });
  });

  it('a 409 carries currentVersion inside details, not at the top level', async () => {
    const created = await ctx.api.post('/api/v1/unions', { name: `Union ${Date.now()}` }, { headers: (await createUser(ctx, Role.Admin)).headers });
    expect(created.statusCode).toBe(201);
    const emp = await ctx.api.post('/api/v1/employees', { staffNumber: `V${Date.now()}`, firstName: 'A', lastName: 'B', contractType: 'permanent', contractedFte: 1 }, { headers: hr.headers });
    const stale = await ctx.api.patch(`/api/v1/employees/${emp.body.id}`, { firstName: 'C', version: emp.body.version + 5 }, { headers: hr.headers });
    expectErrorShape(stale, 409);
    expect(Object.keys(stale.body).sort()).toEqual(TOP_LEVEL);
    expect(stale.body.details[0]).toMatchObject({ field: 'version', currentVersion: emp.body.version });
  });

  it('API answers holding personal data are never cached: Cache-Control: no-store (errors too)', async () => {
    for (const url of ['/api/v1/me', '/api/v1/employees', '/api/v1/posts', '/api/v1/nothing']) {
      const res = await ctx.api.get(url, { headers: hr.headers });
      expect({ url, cacheControl: res.headers['cache-control'] }).toEqual({ url, cacheControl: 'no-store' });
    }
    expect((await ctx.api.post('/api/v1/auth/sign-in', { email: hr.email, password: hr.password })).headers['cache-control']).toBe('no-store');
  });
});

describe('hardening: production exposure', () => {
  let ctx: TestContext;
  afterEach(async () => {
    await ctx?.close();
  });

  it('/docs, /docs/json and /docs/yaml are off in production; /metrics needs its token', async () => {
    ctx = await startTestApp({ env: { NODE_ENV: 'production' } });
    for (const url of ['/docs', '/docs/json', '/docs/yaml']) expect({ url, status: (await ctx.api.get(url)).statusCode }).toEqual({ url, status: 404 });
    expectErrorShape(await ctx.api.get('/metrics'), 404);
  });

  it('/docs can be enabled in production by DOCS_ENABLED=true; /metrics with METRICS_TOKEN answers only to it', async () => {
    ctx = await startTestApp({ env: { NODE_ENV: 'production', DOCS_ENABLED: 'true', METRICS_TOKEN: 'a-metrics-token-for-tests' } });
    expect((await ctx.api.get('/docs/json')).statusCode).toBe(200);
    expectErrorShape(await ctx.api.get('/metrics'), 401);
    expect((await ctx.api.get('/metrics', { headers: { authorization: 'Bearer a-metrics-token-for-tests' } })).statusCode).toBe(200);
    process.env.NODE_ENV = 'test';
    delete process.env.DOCS_ENABLED;
    delete process.env.METRICS_TOKEN;
  });
});
