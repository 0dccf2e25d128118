import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import * as oidc from 'openid-client';
import { DataSource } from 'typeorm';
import { AuditAction } from '../../audit/audit-action';
import { AuditService } from '../../audit/audit.service';
import type { AuthUser } from '../../common/access/auth-user';
import { AppConfig } from '../../config/app-config';
import { AuthService } from '../auth.service';
import type { OidcProviderSetting } from '../../config/oidc-providers';

/** What the session keeps between the redirect to the provider and its answer (encrypted cookie). */
export interface PendingOidcSignIn {
  /** Provider id. */
  p: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
  /** Epoch seconds: a pending sign-in older than 10 minutes is refused. */
  at: number;
}

declare module '@fastify/secure-session' {
  interface SessionData {
    /** A sign-in waiting for the provider's answer. */
    oidc?: PendingOidcSignIn;
    /** Signed in through this provider, with this ID token (the hint for RP-initiated logout). */
    op?: string;
    idt?: string;
  }
}

export const OidcAudit = {
  IdentityLink: 'auth.identity_link',
  AccountRequest: 'auth.account_request',
} as const;

/** Why a sign-in through a provider was refused: each has its own page text (src/auth/views/sign-in-problem.njk). */
export type OidcRefusal =
  | 'no_pending' // no sign-in waiting in this session (a replayed or stale callback)
  | 'state_mismatch'
  | 'provider_error' // the provider answered with an error (access_denied …)
  | 'token_invalid' // signature, issuer, audience, nonce or expiry
  | 'provider_unreachable'
  | 'email_unverified'
  | 'unknown_email'
  | 'inactive'
  | 'identity_mismatch' // the account is linked to another identity at this provider
  | 'no_role_yet';

export class OidcSignInRefused extends Error {
  constructor(
    readonly reason: OidcRefusal,
    readonly detail: string,
    readonly providerName: string,
  ) {
    super(`${reason}: ${detail}`);
  }

  get status(): number {
    switch (this.reason) {
      case 'provider_unreachable':
        return 502;
      case 'unknown_email':
      case 'inactive':
      case 'identity_mismatch':
      case 'no_role_yet':
      case 'email_unverified':
        return 403;
      case 'no_pending':
      case 'state_mismatch':
        return 400;
      default:
        return 401;
    }
  }
}

const PENDING_MAX_SECONDS = 600;
const BASE_SCOPES = ['openid', 'email', 'profile'];

interface IdClaims {
  sub: string;
  email?: unknown;
  email_verified?: unknown;
  /** Microsoft Entra ID: "email domain owner verified" (optional claim), its stand-in for email_verified. */
  xms_edov?: unknown;
  name?: unknown;
  preferred_username?: unknown;
}

const loopback = (u: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

/**
 * OpenID Connect sign-in (authorisation code flow with PKCE) with each configured organisation's
 * provider, through openid-client. The ID token's signature (the provider's JWKS), issuer,
 * audience, nonce and expiry are all checked. A person is matched to an account an admin made,
 * by a verified email the first time (the link is then kept, per provider and subject).
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger('Oidc');
  private readonly providers: Map<string, OidcProviderSetting>;
  private readonly configurations = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {
    this.providers = new Map(config.oidcProviders.map((p) => [p.id, p]));
  }

  /** The providers, for the sign-in page's buttons. */
  list(): { id: string; name: string }[] {
    return [...this.providers.values()].map((p) => ({ id: p.id, name: p.name }));
  }

  get(id: string): OidcProviderSetting | undefined {
    return this.providers.get(id);
  }

  redirectUri(p: OidcProviderSetting): string {
    return `${this.config.PUBLIC_BASE_URL.replace(/\/$/, '')}/sign-in/oidc/${p.id}/callback`;
  }

  /** Discovery, once per provider (tried again after a failure). */
  private configuration(p: OidcProviderSetting): Promise<oidc.Configuration> {
    let c = this.configurations.get(p.id);
    if (!c) {
      const issuer = new URL(p.issuer);
      c = oidc
        .discovery(issuer, p.clientId, { client_secret: p.clientSecret, id_token_signed_response_alg: 'RS256' }, oidc.ClientSecretPost(p.clientSecret), {
          timeout: 10,
          // Verify the ID token's JWS signature with the provider's published keys (openid-client leaves it off by default over TLS).
          execute: [oidc.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' && loopback(issuer) ? [oidc.allowInsecureRequests] : [])],
        })
        .catch((err: unknown) => {
          this.configurations.delete(p.id);
          throw err;
        });
      this.configurations.set(p.id, c);
    }
    return c;
  }

  /** Start a sign-in: where to send the browser, and what the session must keep until the answer. */
  async begin(p: OidcProviderSetting, returnTo: string): Promise<{ url: string; pending: PendingOidcSignIn }> {
    let config: oidc.Configuration;
    try {
      config = await this.configuration(p);
    } catch (err) {
      await this.refuse(p, 'provider_unreachable', errorText(err), null);
    }
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingOidcSignIn = { p: p.id, state: oidc.randomState(), nonce: oidc.randomNonce(), verifier, returnTo, at: Math.floor(Date.now() / 1000) };
    const url = oidc.buildAuthorizationUrl(config!, {
      redirect_uri: this.redirectUri(p),
      scope: [...BASE_SCOPES, ...p.scopes].join(' '),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /**
   * The provider's answer at the callback. Refusals (OidcSignInRefused) are audited here; on
   * success the sign-in (and a new link, if any) is audited and the user returned with the ID token.
   */
  async complete(p: OidcProviderSetting, callbackUrl: URL, pending: PendingOidcSignIn | undefined): Promise<{ user: AuthUser; idToken: string }> {
    if (!pending || pending.p !== p.id || Math.floor(Date.now() / 1000) - pending.at > PENDING_MAX_SECONDS) {
      await this.refuse(p, 'no_pending', pending ? 'the sign-in waited too long or was for another provider' : 'no sign-in is waiting in this session', null);
    }
    const error = callbackUrl.searchParams.get('error');
    if (error) await this.refuse(p, 'provider_error', `${error}: ${callbackUrl.searchParams.get('error_description') ?? ''}`.slice(0, 300), null);
    if (callbackUrl.searchParams.get('state') !== pending!.state) await this.refuse(p, 'state_mismatch', 'the answer is not for the sign-in this session started', null);

    let config: oidc.Configuration;
    try {
      config = await this.configuration(p);
    } catch (err) {
      await this.refuse(p, 'provider_unreachable', errorText(err), null);
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config!, callbackUrl, {
        pkceCodeVerifier: pending!.verifier,
        expectedState: pending!.state,
        expectedNonce: pending!.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      const unreachable = err instanceof TypeError || (err as { code?: string }).code === 'OAUTH_TIMEOUT';
      await this.refuse(p, unreachable ? 'provider_unreachable' : isProviderAnswer(err) ? 'provider_error' : 'token_invalid', errorText(err), null);
    }
    const claims = tokens!.claims() as IdClaims | undefined;
    const idToken = tokens!.id_token;
    if (!claims || !idToken) await this.refuse(p, 'token_invalid', 'no ID token in the answer', null);
    const user = await this.matchUser(p, claims!);
    return { user, idToken: idToken! };
  }

  /** Link by (provider, subject), else by verified email; refuse a deactivated account whatever the provider says. */
  private async matchUser(p: OidcProviderSetting, c: IdClaims): Promise<AuthUser> {
    const email = typeof c.email === 'string' ? c.email.trim().toLowerCase() : null;
    const label = (email ?? `${p.id}:${c.sub}`).slice(0, 200);
    const [linked]: { user_id: string; is_active: boolean }[] = await this.db.query(
      `SELECT i.user_id, u.is_active FROM user_identities i JOIN users u ON u.id = i.user_id WHERE i.provider_id = $1 AND i.subject = $2`,
      [p.id, c.sub],
    );
    if (linked) {
      if (!linked.is_active) await this.refuse(p, 'inactive', 'the account is deactivated', label, linked.user_id);
      return this.signedIn(p, linked.user_id, c.sub, false);
    }
    const verified = c.email_verified === true || c.xms_edov === true || c.xms_edov === '1';
    if (!email) await this.refuse(p, 'email_unverified', 'the provider sent no email address', label);
    if (!verified) await this.refuse(p, 'email_unverified', 'the provider did not say the email address is verified', label);
    const [row]: { id: string; is_active: boolean }[] = await this.db.query(`SELECT id, is_active FROM users WHERE email = $1`, [email]);
    if (!row) {
      if (p.allowSelfProvisioning) {
        const name = (typeof c.name === 'string' && c.name.trim() ? c.name.trim() : email!).slice(0, 200);
        await this.db.transaction(async (em) => {
          const [req]: { id: string }[] = await em.query(
            `INSERT INTO account_requests (provider_id, subject, email, display_name) VALUES ($1, $2, $3, $4)
             ON CONFLICT (provider_id, subject) DO UPDATE SET last_seen_at = now(), email = EXCLUDED.email, display_name = EXCLUDED.display_name
             RETURNING id`,
            [p.id, c.sub, email, name],
          );
          await this.audit.record(em, {
            action: OidcAudit.AccountRequest,
            entityType: 'account_request',
            entityId: req.id,
            actor: null,
            actorLabel: label,
            metadata: { provider: p.id },
          });
        });
        throw new OidcSignInRefused('no_role_yet', 'no account yet: an admin must create it with a role', p.name);
      }
      await this.refuse(p, 'unknown_email', 'no account has this email address', label);
    }
    if (!row.is_active) await this.refuse(p, 'inactive', 'the account is deactivated', label, row.id);
    const [other]: { subject: string }[] = await this.db.query(`SELECT subject FROM user_identities WHERE user_id = $1 AND provider_id = $2`, [row.id, p.id]);
    if (other) await this.refuse(p, 'identity_mismatch', 'the account is linked to another identity at this provider', label, row.id);
    return this.signedIn(p, row.id, c.sub, true, email!);
  }

  private async signedIn(p: OidcProviderSetting, userId: string, subject: string, link: boolean, email?: string): Promise<AuthUser> {
    const user = await this.auth.loadUser(userId);
    await this.db.transaction(async (em) => {
      if (link) {
        const [identity]: { id: string }[] = await em.query(
          `INSERT INTO user_identities (user_id, provider_id, subject, email) VALUES ($1, $2, $3, $4) RETURNING id`,
          [userId, p.id, subject, email],
        );
        await this.audit.record(em, {
          action: OidcAudit.IdentityLink,
          entityType: 'user_identity',
          entityId: identity.id,
          actor: user,
          after: { userId, provider: p.id, subject, email },
        });
      } else {
        await em.query(`UPDATE user_identities SET last_sign_in_at = now() WHERE provider_id = $1 AND subject = $2`, [p.id, subject]);
      }
      await this.audit.record(em, { action: AuditAction.SignIn, entityType: 'user', entityId: userId, actor: user, metadata: { method: 'oidc', provider: p.id } });
    });
    return user;
  }

  /** Audit a refused sign-in and throw it. */
  private async refuse(p: OidcProviderSetting, reason: OidcRefusal, detail: string, label: string | null, userId?: string): Promise<never> {
    this.logger.warn(`sign-in with ${p.id} refused: ${reason} (${detail})`);
    await this.audit.recordAlone({
      action: AuditAction.SignInFailed,
      entityType: 'user',
      entityId: userId ?? null,
      actor: null,
      actorLabel: label ?? `oidc:${p.id}`,
      metadata: { method: 'oidc', provider: p.id, reason, detail: detail.slice(0, 500) },
    });
    throw new OidcSignInRefused(reason, detail, p.name);
  }

  /** Where to send the browser to end the provider's session too, or null when it has no end_session_endpoint. */
  async endSessionUrl(providerId: string | undefined, idToken: string | undefined, postLogoutRedirect: string): Promise<string | null> {
    const p = providerId ? this.providers.get(providerId) : undefined;
    if (!p || !idToken) return null;
    try {
      const config = await this.configuration(p);
      if (!config.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirect }).href;
    } catch (err) {
      this.logger.warn(`no RP-initiated logout at ${p.id}: ${errorText(err)}`);
      return null;
    }
  }
}

function isProviderAnswer(err: unknown): boolean {
  return err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError;
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: string }).code;
  const cause = err.cause instanceof Error ? `; ${err.cause.message}` : '';
  return `${code ? `${code}: ` : ''}${err.message}${cause}`.slice(0, 500);
}
