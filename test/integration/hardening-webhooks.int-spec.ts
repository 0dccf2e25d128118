import { Role } from '../../src/common/access/role.enum';
import { AppConfig } from '../../src/config/app-config';
import { PermanentDeliveryError } from '../../src/notifications/channels/delivery-errors';
import { verifySignature, WebhookChannel } from '../../src/notifications/channels/webhook.channel';
import { createUser, TestUser } from '../support/auth';
import { HttpReceiver, startHttpReceiver } from '../support/http-receiver';
import { expectErrorShape, startTestApp, TestContext } from '../support/test-app';

/** Issue 17: webhooks could point at loopback or link-local addresses, and signatures had no timestamp. */
describe('hardening: webhook destinations and signatures', () => {
  let ctx: TestContext;
  let admin: TestUser;
  let rx: HttpReceiver;

  beforeAll(async () => {
    ctx = await startTestApp(); // no WEBHOOK_ALLOW_INTERNAL: internal destinations are refused
    admin = await createUser(ctx, Role.Admin);
    rx = await startHttpReceiver();
  });
  afterAll(async () => {
    await rx?.close();
    await ctx?.close();
  });

  it('refuses loopback, private, link-local and metadata destinations when saved', async () => {
    for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/x', 'http://192.168.1.1/x', 'http://[::ffff:127.0.0.1]/x', 'http://0.0.0.0/x']) {
      const res = await ctx.api.post('/api/v1/admin/webhooks', { name: `n${Math.random()}`, url }, { headers: admin.headers });
      expectErrorShape(res, 400);
      expect({ url, details: res.body.details }).toEqual({ url, details: [{ field: 'url', reason: expect.stringMatching(/loopback, private, link-local/) }] });
    }
  });

  it('refuses again at delivery, after DNS, unless an admin allowed the range', async () => {
    const config = (extra: Record<string, string>) => Object.assign(Object.create(AppConfig.prototype), ctx.app.get(AppConfig), extra) as AppConfig;
    const target = { url: `${rx.url.replace('127.0.0.1', 'localhost')}/hook`, secret: 'whsec_test' };
    // a name that resolves to loopback (as a rebinding name would, after it was saved)
    await expect(new WebhookChannel(config({ WEBHOOK_ALLOW_INTERNAL: '' })).send(target, 'n1', 'test.event', { a: 1 })).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(new WebhookChannel(config({})).send({ ...target, url: `${rx.url}/hook` }, 'n1', 'test.event', { a: 1 })).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(rx.requests).toHaveLength(0);
    await new WebhookChannel(config({ WEBHOOK_ALLOW_INTERNAL: '127.0.0.0/8,::1/128' })).send(target, 'n2', 'test.event', { a: 1 });
    const [got] = await rx.waitFor((r) => r.length === 1);
    expect(verifySignature('whsec_test', got.body, String(got.headers['x-signature']))).toBe(true);
    expect(verifySignature('whsec_test', got.body, String(got.headers['x-signature']), 300, Math.floor(Date.now() / 1000) + 301)).toBe(false);
  });
});
