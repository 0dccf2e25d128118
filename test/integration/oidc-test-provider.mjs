/**
 * A real OpenID provider for the single sign-on tests (the oidc-provider package), in its own
 * process on loopback, signing with an RSA key it makes at start. The test that starts it gives,
 * in OIDC_TEST_CONFIG: { port, clients: [client metadata], accounts: { login: claims } }.
 * devInteractions' login form takes a login (an `accounts` key) and any password; consent is
 * granted by loadExistingGrant, as a company's provider with pre-approved apps does.
 *
 * POST /__test/mode { kind } changes how the token endpoint answers, for the refusal tests:
 *   normal  — as issued
 *   tamper  — the ID token's payload changed after signing (email becomes `email`), signature kept
 *   skew    — the provider's clock runs `ms` behind while it issues tokens: a real, expired ID token
 *   replace — the ID token is `idToken` (one the provider issued to another client)
 * It prints "ready <issuer>" when it listens.
 */
import { Buffer } from 'node:buffer';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const cfg = JSON.parse(process.env.OIDC_TEST_CONFIG ?? '{}');
const issuer = `http://127.0.0.1:${cfg.port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `test-${cfg.port}`, use: 'sig', alg: 'RS256' };
let mode = { kind: 'normal' };

const provider = new Provider(issuer, {
  clients: cfg.clients,
  jwks: { keys: [jwk] },
  cookies: { keys: [`cookie-key-${cfg.port}-0123456789abcdef`] },
  findAccount: (_ctx, id) => {
    const claims = cfg.accounts?.[id];
    if (!claims) return undefined;
    return { accountId: id, claims: () => ({ ...claims, sub: id }) };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scope's claims in the ID token (as Entra ID does with optional claims), not only userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const readBody = (req) =>
  new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/mode' && ctx.method === 'POST') {
    mode = JSON.parse(await readBody(ctx.req));
    ctx.status = 204;
    return;
  }
  const token = ctx.path === '/token';
  if (token && mode.kind === 'skew') {
    const realNow = Date.now;
    Date.now = () => realNow() - mode.ms;
    try {
      await next();
    } finally {
      Date.now = realNow;
    }
  } else {
    await next();
  }
  if (token && ctx.status === 200 && ctx.body && typeof ctx.body.id_token === 'string') {
    if (mode.kind === 'tamper') {
      const [h, p, s] = ctx.body.id_token.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      ctx.body = { ...ctx.body, id_token: [h, b64({ ...payload, email: mode.email }), s].join('.') };
    } else if (mode.kind === 'replace') {
      ctx.body = { ...ctx.body, id_token: mode.idToken };
    }
  }
});

createServer(provider.callback()).listen(cfg.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
