import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsOidcProviders, OidcProviderSetting, parseOidcProviders } from './oidc-providers';
import { getMetadataStorage, IsEnum, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export enum NodeEnv {
  Development = 'development',
  Test = 'test',
  Production = 'production',
}

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Every setting the processes read, validated once at boot. A missing or malformed
 * value stops the process with one line naming the variable (see loadConfig).
 */
export class AppConfig {
  @IsEnum(NodeEnv)
  NODE_ENV: NodeEnv = NodeEnv.Development;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL: string;

  @Matches(/^rediss?:\/\/[^\s]+$/, { message: 'must be a redis:// URL' })
  REDIS_URL: string;

  /**
   * The owner role's connection, used only to apply migrations (src/database/migrate.ts). The API
   * and the worker use DATABASE_URL, a role that owns nothing (README, "Database roles").
   * Unset: migrations use DATABASE_URL.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, { message: 'must be a postgres:// URL' })
  MIGRATION_DATABASE_URL?: string;

  /** Prefix for every Redis key this deployment writes (queues, rate limits). */
  @IsString()
  @Matches(/^[a-z0-9_-]+$/i, { message: 'may hold only letters, digits, _ and -' })
  REDIS_PREFIX = 'wtt';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Requests allowed per client address per THROTTLE_TTL_SECONDS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  THROTTLE_LIMIT = 300;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  THROTTLE_TTL_SECONDS = 60;

  /** Secret for signing access tokens; required (32+ characters) in production. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  JWT_SECRET?: string;

  /** Lifetime of a signed access token. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  /**
   * Failed sign-ins allowed for one account from one client address per window before that pair is
   * locked (429). Nobody else is locked out: other addresses are only slowed (SIGN_IN_DELAY_*).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  SIGN_IN_MAX_FAILURES = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  SIGN_IN_WINDOW_SECONDS = 900;

  // --- capacity (see docs/benchmarks.md) ------------------------------------
  /** Database connections each API or worker process keeps at most. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  DB_POOL_SIZE = 20;

  /**
   * How long (seconds) an API process keeps a caller's identity (role, token version, scopes) so an
   * authenticated request needs no database round trip for it. Every change of a user reaches every
   * process at once (src/users/identity-cache.ts); 0 turns the cache off.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  IDENTITY_CACHE_SECONDS = 30;

  /** How long a request waits for a free database connection before it gets 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  DB_POOL_WAIT_MS = 2000;

  /** The Retry-After (seconds) of a 503 for a busy database pool. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  DB_RETRY_AFTER_SECONDS = 2;

  /** Heavy reports (the matrix, exports) running at once in one API process; more wait REPORT_WAIT_MS, then get 503. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  REPORT_CONCURRENCY = 4;

  /** How long a heavy report waits for a free slot before it gets 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120_000)
  REPORT_WAIT_MS = 10_000;

  /**
   * Data rows one posts import may hold (CSV or XLSX) when it runs in the worker (POST /programmes/:id/imports,
   * the import page); more fails the import with 400. A 1,000,000-row CSV is about 90 MB (see IMPORT_MAX_BYTES).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  IMPORT_MAX_ROWS = 1_000_000;

  /** Bytes one uploaded posts spreadsheet may hold when the import runs in the worker (413 above). Stored in PostgreSQL until the job has read it. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(2 * 1024 * 1024 * 1024)
  IMPORT_MAX_BYTES = 256 * 1024 * 1024;

  /** Rows the synchronous import (POST /programmes/:id/posts/import, and its dry run) accepts: it runs in the request. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  IMPORT_SYNC_MAX_ROWS = 100_000;

  /** Bytes the synchronous import accepts (the file is held in memory in the request; 413 above). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(256 * 1024 * 1024)
  IMPORT_SYNC_MAX_BYTES = 20 * 1024 * 1024;

  /** Uploads of imports run at once in the worker (each holds a database connection and a transaction). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(16)
  IMPORT_CONCURRENCY = 1;

  // --- notifications (see src/notifications) -------------------------------
  /** Outgoing mail server (smtp:// or smtps://, credentials in the URL). Unset: emails are written as .eml files under MAIL_DIR. */
  @IsOptional()
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  /** Sender of every notification email: `address` or `Name <address>`. */
  @Matches(/^[^\r\n<>]*<?[^\s@<>]+@[^\s@<>]+>?$/, { message: 'must be an email address, optionally as "Name <address>"' })
  MAIL_FROM = 'Workforce transition tracker <no-reply@wtt.invalid>';

  /** Where emails go as .eml files when SMTP_URL is unset (git-ignored). */
  @MinLength(1)
  @IsString()
  MAIL_DIR = '.data/mail';

  /** SMTP connections each worker keeps open. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  SMTP_POOL_SIZE = 5;

  /** Email jobs (batches of a notice's recipients) each worker runs at once; 0: twice SMTP_POOL_SIZE (src/queue/queue.contract.ts). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(200)
  EMAIL_JOB_CONCURRENCY = 0;

  /** Time limit of one webhook POST. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 5000;

  /** How often each worker's outbox relay looks for new domain events. */
  @Transform(toInt)
  @IsInt()
  @Min(20)
  @Max(60_000)
  OUTBOX_POLL_MS = 500;

  /** How often the sweeper runs (re-enqueues deliveries that waited too long, relays stragglers). */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  OUTBOX_SWEEP_EVERY_MS = 60_000;

  /** Issue 15: how often the worker re-enqueues documents whose PDF is still pending and document emails not sent (it also does at start). */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  DOCUMENT_SWEEP_EVERY_MS = 5 * 60_000;

  /** Time limit of one Redis command on a request path (rate limits, sign-in throttling, health); past it the limiter lets the request through. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(10_000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  /** Time limit of one command on the job producer's Redis connection (adding jobs, an addBulk of 1,000 included; job counts); past it the call fails and the caller retries or answers 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REDIS_QUEUE_COMMAND_TIMEOUT_MS = 2000;

  /** A delivery pending or queued for longer than this is re-enqueued by the sweeper. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  NOTIFY_REQUEUE_AFTER_SECONDS = 300;

  /** Attempts of an email or webhook delivery before it is marked failed. Unset: 13 (JOB_OPTIONS in src/queue/queue.contract.ts). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  NOTIFY_RETRY_ATTEMPTS?: number;

  /** First wait between email or webhook attempts; it doubles each time, up to 10 min. Unset: 5000. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  NOTIFY_RETRY_BASE_MS?: number;

  /** When milestone reminders and missed-milestone notices are worked out (cron, Europe/London). */
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'must be a cron pattern of 5 or 6 fields' })
  MILESTONE_REMINDER_CRON = '0 7 * * *';

  /** When the overdue-deadlines digest goes to HR (cron, Europe/London). */
  @Matches(/^\S+(\s+\S+){4,5}$/, { message: 'must be a cron pattern of 5 or 6 fields' })
  OVERDUE_DIGEST_CRON = '0 8 * * *';

  /** Bearer token Prometheus must send to /metrics. Unset: /metrics is open, except in production where it is refused. */
  @IsOptional()
  @MinLength(16)
  @IsString()
  METRICS_TOKEN?: string;

  // --- the web service (see src/web) -------------------------------------
  /** The address people use to reach the service, e.g. https://transition.example.gov.uk. Every absolute link (emails, calendar feeds) is built from it, never from a request's Host header. Required in production; elsewhere it defaults to http://localhost:3000. */
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'must be an http:// or https:// URL with no query' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** Key material for the session cookie (32+ characters). Unset: derived from JWT_SECRET. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  SESSION_SECRET?: string;

  /** A signed-in page session ends after this many minutes without a request (a warning shows 2 minutes before). */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(24 * 60)
  SESSION_IDLE_MINUTES = 30;

  /** Whatever the activity, a page session ends this many hours after sign-in. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(72)
  SESSION_MAX_HOURS = 12;

  /** Mark the session cookie Secure (HTTPS only). Unset: on in production, off otherwise. */
  @IsOptional()
  @IsIn(['true', 'false'])
  COOKIE_SECURE?: 'true' | 'false';

  /**
   * The organisations' OpenID Connect providers, a JSON array (docs/sso.md):
   * `[{"id":"mcc","name":"Manchester City Council","issuer":"https://login.microsoftonline.com/<tenant>/v2.0","clientId":"…","clientSecret":"…"}]`.
   * Unset: no single sign-on, local passwords only.
   */
  @IsOptional()
  @IsOidcProviders()
  OIDC_PROVIDERS?: string;

  get oidcProviders(): OidcProviderSetting[] {
    return parseOidcProviders(this.OIDC_PROVIDERS);
  }

  get cookieSecure(): boolean {
    return this.COOKIE_SECURE ? this.COOKIE_SECURE === 'true' : this.isProduction;
  }

  /** Serve the OpenAPI docs at /docs, /docs/json and /docs/yaml. Unset: on, except in production. */
  @IsOptional()
  @IsIn(['true', 'false'])
  DOCS_ENABLED?: 'true' | 'false';

  /**
   * Client address ranges (CIDR, comma-separated) a webhook may be delivered to although they are
   * loopback, private, link-local or otherwise internal. Unset: none (an internal destination is refused).
   */
  @IsOptional()
  @Matches(/^\s*[0-9a-f:.]+\/\d{1,3}(\s*,\s*[0-9a-f:.]+\/\d{1,3})*\s*$/i, { message: 'must be CIDR ranges separated by commas, e.g. 127.0.0.0/8,::1/128' })
  WEBHOOK_ALLOW_INTERNAL?: string;

  /** Delay added to a sign-in after the SIGN_IN_FREE_FAILURES-th failure for the account or address; it doubles each time. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIGN_IN_DELAY_BASE_MS = 250;

  /** The longest a sign-in is delayed. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(30_000)
  SIGN_IN_DELAY_MAX_MS = 8000;

  /** Failures for an account (from anywhere) or from an address before sign-ins there are slowed down. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  SIGN_IN_FREE_FAILURES = 3;

  /** Documents (issue 15): the LibreOffice binary the worker converts letters with. */
  @IsString()
  SOFFICE_PATH = '/usr/bin/soffice';

  /** Time limit of one LibreOffice conversion run (a batch of letters); a slower run is killed and the job retried. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  LIBREOFFICE_TIMEOUT_MS = 120_000;

  /**
   * Where new documents are kept: `postgres` (bytea in stored_files) or `s3` (an S3-compatible
   * bucket, S3_*). Files already stored stay readable after a change: each row says where its bytes
   * are (src/documents/configured-store.ts, docs/documents.md "Storage").
   */
  @IsIn(['postgres', 's3'])
  DOCUMENT_STORE = 'postgres';

  /** S3 endpoint for a non-AWS store (MinIO, Ceph, a cloud's S3 API), e.g. https://s3.example.net. Unset: AWS S3 of S3_REGION. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+\/?$/, { message: 'must be an http:// or https:// URL with no path or query' })
  S3_ENDPOINT?: string;

  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'must be a region name such as eu-west-2' })
  S3_REGION = 'eu-west-2';

  /** The bucket documents go to (it must exist; the product never creates or deletes buckets). Required with DOCUMENT_STORE=s3. */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)' })
  S3_BUCKET?: string;

  /** Key prefix inside the bucket; objects are `<prefix>/sha256/<hash>`. */
  @Matches(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { message: 'must be path segments of letters, digits, ., _ and - without leading or trailing /' })
  S3_PREFIX = 'documents';

  /** Static credentials; required in production with DOCUMENT_STORE=s3. Unset elsewhere: the AWS SDK's default chain. */
  @IsOptional()
  @Matches(/^\S{3,128}$/, { message: 'must be an access key id without spaces' })
  S3_ACCESS_KEY_ID?: string;

  @IsOptional()
  @Matches(/^\S{8,256}$/, { message: 'must be a secret of 8 or more characters without spaces' })
  S3_SECRET_ACCESS_KEY?: string;

  /** `true` for path-style URLs (endpoint/bucket/key), which MinIO and most non-AWS stores need. */
  @IsIn(['true', 'false'])
  S3_FORCE_PATH_STYLE = 'false';

  get docsEnabled(): boolean {
    return this.DOCS_ENABLED === undefined ? !this.isProduction : this.DOCS_ENABLED === 'true';
  }

  get isProduction(): boolean {
    return this.NODE_ENV === NodeEnv.Production;
  }
}

export class ConfigError extends Error {}

/** Settings whose value a configuration error never echoes. */
const SECRET_SETTINGS = new Set(['OIDC_PROVIDERS', 'S3_SECRET_ACCESS_KEY', 'S3_ACCESS_KEY_ID']);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Every property with a validation decorator is a setting (optional ones included).
  const known = new Set(getMetadataStorage().getTargetValidationMetadatas(AppConfig, '', true, false).map((m) => m.propertyName));
  const raw: Record<string, string> = {};
  for (const key of known) if (env[key] !== undefined && env[key] !== '') raw[key] = env[key] as string;
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const e = errors[0];
    // Never echo a value that holds secrets (client secrets in OIDC_PROVIDERS).
    const value = e.value === undefined ? 'missing' : SECRET_SETTINGS.has(e.property) ? 'value not shown' : `got ${JSON.stringify(e.value)}`;
    const reason = Object.values(e.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigError(`Invalid configuration: ${e.property} ${reason.replace(`${e.property} `, '')} (${value})`);
  }
  if (config.isProduction && !config.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET must be set (32+ characters) when NODE_ENV=production (missing)');
  }
  // Every absolute link (emails, calendar feeds) is built from it: in production there is no safe default.
  if (config.isProduction && !raw.PUBLIC_BASE_URL) {
    throw new ConfigError('Invalid configuration: PUBLIC_BASE_URL must be set (e.g. https://transition.example.gov.uk) when NODE_ENV=production (missing)');
  }
  if (config.DOCUMENT_STORE === 's3') {
    if (!config.S3_BUCKET) throw new ConfigError('Invalid configuration: S3_BUCKET must be set when DOCUMENT_STORE=s3 (missing)');
    if (config.isProduction && (!config.S3_ACCESS_KEY_ID || !config.S3_SECRET_ACCESS_KEY)) {
      const missing = !config.S3_ACCESS_KEY_ID ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
      throw new ConfigError(`Invalid configuration: ${missing} must be set when DOCUMENT_STORE=s3 and NODE_ENV=production (missing)`);
    }
  }
  if (!config.S3_ACCESS_KEY_ID !== !config.S3_SECRET_ACCESS_KEY) {
    const missing = !config.S3_ACCESS_KEY_ID ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    throw new ConfigError(`Invalid configuration: ${missing} must be set with ${missing === 'S3_ACCESS_KEY_ID' ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'} (missing)`);
  }
  return config;
}

/** Load the configuration or exit with one clear line. For process entry points. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
