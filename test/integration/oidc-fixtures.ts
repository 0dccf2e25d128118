/**
 * Single sign-on test helpers: a real OpenID provider process (oidc-test-provider.mjs) and a
 * cookie-keeping client that walks the sign-in through the app (app.inject) and the provider
 * (real HTTP on loopback) as a browser would, following each redirect by hand.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { freePort } from '../support/servers';

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  token_endpoint_auth_method?: string;
}

export type ProviderMode =
  | { kind: 'normal' }
  | { kind: 'tamper'; email: string }
  | { kind: 'skew'; ms: number }
  | { kind: 'replace'; idToken: string };

export interface TestProvider {
  issuer: string;
  setMode(mode: ProviderMode): Promise<void>;
  close(): Promise<void>;
}

export async function startTestProvider(clients: TestClient[], accounts: Record<string, Record<string, unknown>>): Promise<TestProvider> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-test-provider.mjs')], {
    env: { ...process.env, NODE_ENV: 'test', OIDC_TEST_CONFIG: JSON.stringify({ port, clients: clients.map((c) => ({ token_endpoint_auth_method: 'client_secret_post', ...c })), accounts }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`OpenID provider did not start: ${stderr}`)), 20000);
    child.stdout!.on('data', (d) => {
      const m = /ready (\S+)/.exec(String(d));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`OpenID provider exited (${code}): ${stderr}`)));
  });
  return {
    issuer,
    async setMode(mode) {
      const res = await fetch(`${issuer}/__test/mode`, { method: 'POST', body: JSON.stringify(mode) });
      if (res.status !== 204) throw new Error(`mode not set: ${res.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A tiny cookie jar: name → value (paths ignored; tests talk to one app and one provider at a time). */
class Jar {
  readonly cookies = new Map<string, string>();
  take(setCookie: string | string[] | undefined): void {
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(i + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface Answer {
  status: number;
  location?: string;
  body: string;
}

/** A person with a browser, without the browser: the app through inject, the provider through fetch. */
export class SsoWalker {
  private readonly app = new Jar();
  private readonly idp = new Jar();

  constructor(
    private readonly nest: NestFastifyApplication,
    private readonly publicBase: string,
  ) {}

  async appGet(path: string): Promise<Answer> {
    const res = await this.nest.inject({ method: 'GET', url: path, headers: { cookie: this.app.header() } });
    this.app.take(res.headers['set-cookie'] as string[] | string | undefined);
    return { status: res.statusCode, location: res.headers.location as string | undefined, body: res.body };
  }

  async appPost(path: string, form: Record<string, string>): Promise<Answer> {
    const res = await this.nest.inject({
      method: 'POST',
      url: path,
      headers: { cookie: this.app.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    this.app.take(res.headers['set-cookie'] as string[] | string | undefined);
    return { status: res.statusCode, location: res.headers.location as string | undefined, body: res.body };
  }

  /** The CSRF token of a page's forms. */
  async csrf(path = '/sign-in'): Promise<string> {
    const page = await this.appGet(path);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    if (!m) throw new Error(`no CSRF token on ${path} (${page.status})`);
    return m[1];
  }

  /** Press "Sign in with …": the app's redirect to the provider's authorisation endpoint. */
  async pressProviderButton(providerId: string): Promise<string> {
    const res = await this.appPost(`/sign-in/oidc/${providerId}`, { _csrf: await this.csrf() });
    if (res.status !== 303 || !res.location) throw new Error(`no redirect to the provider: ${res.status} ${res.body.slice(0, 300)}`);
    return res.location;
  }

  /** At the provider: sign in as `login` and come back with the redirect to the app's callback (a full URL). */
  async signInAtProvider(authUrl: string, login: string): Promise<string> {
    let url = authUrl;
    for (let i = 0; i < 12; i++) {
      if (!url.startsWith('http://127.0.0.1') || url.startsWith(this.publicBase)) return url;
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.idp.header() } });
      this.idp.take(res.headers.getSetCookie());
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url).href;
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action) throw new Error(`unexpected provider page ${res.status}: ${html.slice(0, 300)}`);
      const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
      const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt: prompt ?? 'consent' };
      const post = await fetch(new URL(action, url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: this.idp.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      this.idp.take(post.headers.getSetCookie());
      url = new URL(post.headers.get('location')!, url).href;
    }
    throw new Error('too many redirects at the provider');
  }

  /** Follow the provider's redirect into the app (the callback). */
  async callback(callbackUrl: string): Promise<Answer> {
    const u = new URL(callbackUrl);
    return this.appGet(`${u.pathname}${u.search}`);
  }

  /** The whole journey: button, provider sign-in, callback. */
  async signIn(providerId: string, login: string): Promise<{ callbackUrl: string; answer: Answer }> {
    const auth = await this.pressProviderButton(providerId);
    const callbackUrl = await this.signInAtProvider(auth, login);
    return { callbackUrl, answer: await this.callback(callbackUrl) };
  }
}

/** A code-flow sign-in for another client, done by the test itself: a real ID token with that client as audience. */
export async function idTokenForClient(provider: TestProvider, client: TestClient, login: string, nonce: string): Promise<string> {
  const verifier = 'v'.repeat(50);
  const { createHash } = await import('node:crypto');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const auth = new URL(`${provider.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    scope: 'openid email profile',
    redirect_uri: client.redirect_uris[0],
    nonce,
    state: 'other-client',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const walker = new SsoWalker(undefined as unknown as NestFastifyApplication, new URL(client.redirect_uris[0]).origin);
  const back = new URL(await walker.signInAtProvider(auth.href, login));
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code for ${client.client_id}: ${back.href}`);
  const res = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirect_uris[0], code_verifier: verifier, client_id: client.client_id, client_secret: client.client_secret }).toString(),
  });
  const body = (await res.json()) as { id_token?: string };
  if (!body.id_token) throw new Error(`no ID token for ${client.client_id}: ${JSON.stringify(body)}`);
  return body.id_token;
}
