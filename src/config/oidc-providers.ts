import { ValidateBy, ValidationOptions } from 'class-validator';

/** One organisation's identity provider (OIDC_PROVIDERS is a JSON array of these). */
export interface OidcProviderSetting {
  /** Short id in URLs and the audit trail: lower-case letters, digits and "-" (e.g. "mcc"). */
  id: string;
  /** The organisation, as the button says it: "Sign in with Manchester City Council". */
  name: string;
  /** The issuer URL; its /.well-known/openid-configuration is read at first use. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Someone this provider vouches for who has no account is recorded as an account request ("no role yet"). Default false. */
  allowSelfProvisioning: boolean;
  /** Extra scopes besides "openid email profile" (rarely needed). */
  scopes: string[];
}

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const KEYS = new Set(['id', 'name', 'issuer', 'clientId', 'clientSecret', 'allowSelfProvisioning', 'scopes']);

/**
 * Parse OIDC_PROVIDERS; throws an Error whose message says what is wrong and where
 * (e.g. `[1].issuer must be an https:// URL`). http:// is accepted only for loopback issuers.
 */
export function parseOidcProviders(raw: string | undefined): OidcProviderSetting[] {
  if (raw === undefined || raw.trim() === '') return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON array of providers');
  }
  if (!Array.isArray(list)) throw new Error('must be a JSON array of providers');
  const seen = new Set<string>();
  return list.map((p: unknown, i): OidcProviderSetting => {
    const at = `[${i}]`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error(`${at} must be an object`);
    const o = p as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!KEYS.has(k)) throw new Error(`${at} has an unknown key "${k}"`);
    const str = (k: string, max = 2000): string => {
      const v = o[k];
      if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw new Error(`${at}.${k} must be a non-empty string`);
      return v.trim();
    };
    const id = str('id', 40);
    if (!ID.test(id)) throw new Error(`${at}.id must be lower-case letters, digits and "-" (at most 40)`);
    if (seen.has(id)) throw new Error(`${at}.id "${id}" is used twice`);
    seen.add(id);
    const issuer = str('issuer');
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new Error(`${at}.issuer must be an https:// URL`);
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error(`${at}.issuer must be an https:// URL`);
    if (o.allowSelfProvisioning !== undefined && typeof o.allowSelfProvisioning !== 'boolean') throw new Error(`${at}.allowSelfProvisioning must be true or false`);
    if (o.scopes !== undefined && (!Array.isArray(o.scopes) || o.scopes.some((s) => typeof s !== 'string' || !/^[\x21-\x7e]+$/.test(s)))) {
      throw new Error(`${at}.scopes must be a list of scope names`);
    }
    return {
      id,
      name: str('name', 100),
      issuer,
      clientId: str('clientId', 500),
      clientSecret: str('clientSecret', 2000),
      allowSelfProvisioning: o.allowSelfProvisioning === true,
      scopes: (o.scopes as string[] | undefined) ?? [],
    };
  });
}

/** class-validator decorator for AppConfig: OIDC_PROVIDERS must parse. */
export function IsOidcProviders(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isOidcProviders',
      validator: {
        validate: (v: unknown) => {
          try {
            parseOidcProviders(typeof v === 'string' ? v : undefined);
            return typeof v === 'string';
          } catch {
            return false;
          }
        },
        defaultMessage: (args) => {
          try {
            parseOidcProviders(typeof args?.value === 'string' ? args.value : undefined);
            return 'must be a JSON array of providers';
          } catch (err) {
            return (err as Error).message;
          }
        },
      },
    },
    options,
  );
}
