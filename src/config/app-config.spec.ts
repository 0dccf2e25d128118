import { ConfigError, loadConfig } from './app-config';

const valid = { DATABASE_URL: 'postgres://u:p@localhost:5432/db', REDIS_URL: 'redis://localhost:6379' };

describe('loadConfig', () => {
  it('accepts a valid environment and fills defaults', () => {
    const c = loadConfig({ ...valid });
    expect(c).toMatchObject({ PORT: 3000, NODE_ENV: 'development', REDIS_PREFIX: 'wtt', THROTTLE_LIMIT: 300 });
  });

  it.each([
    [{ REDIS_URL: valid.REDIS_URL }, /^Invalid configuration: DATABASE_URL .*\(missing\)$/],
    [{ DATABASE_URL: valid.DATABASE_URL }, /^Invalid configuration: REDIS_URL .*\(missing\)$/],
    [{ ...valid, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must be a postgres:\/\/ URL \(got "mysql:\/\/x"\)/],
    [{ ...valid, PORT: 'eighty' }, /^Invalid configuration: PORT /],
    [{ ...valid, PORT: '70000' }, /^Invalid configuration: PORT /],
    [{ ...valid, NODE_ENV: 'staging' }, /^Invalid configuration: NODE_ENV /],
    [{ ...valid, NODE_ENV: 'production' }, /JWT_SECRET must be set/],
    [{ ...valid, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, /PUBLIC_BASE_URL must be set/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    try {
      loadConfig(env as NodeJS.ProcessEnv);
    } catch (e) {
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  describe('document store (DOCUMENT_STORE, S3_*)', () => {
    const prod = { ...valid, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PUBLIC_BASE_URL: 'https://transition.example.gov.uk' };
    const s3 = { DOCUMENT_STORE: 's3', S3_BUCKET: 'wtt-documents', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'secret-of-forty-characters-0123456789abc' };

    it('defaults to postgres, and takes a complete S3 setting in production', () => {
      expect(loadConfig({ ...valid })).toMatchObject({ DOCUMENT_STORE: 'postgres', S3_PREFIX: 'documents', S3_REGION: 'eu-west-2', S3_FORCE_PATH_STYLE: 'false' });
      expect(loadConfig({ ...prod, ...s3, S3_ENDPOINT: 'https://s3.example.net', S3_FORCE_PATH_STYLE: 'true' })).toMatchObject({ DOCUMENT_STORE: 's3', S3_BUCKET: 'wtt-documents' });
    });

    it('outside production, s3 needs a bucket but may use the SDK credential chain', () => {
      expect(loadConfig({ ...valid, DOCUMENT_STORE: 's3', S3_BUCKET: 'wtt-documents' }).S3_ACCESS_KEY_ID).toBeUndefined();
    });

    it.each([
      [{ ...valid, DOCUMENT_STORE: 'filesystem' }, /^Invalid configuration: DOCUMENT_STORE /],
      [{ ...valid, DOCUMENT_STORE: 's3' }, /S3_BUCKET must be set when DOCUMENT_STORE=s3 \(missing\)/],
      [{ ...prod, DOCUMENT_STORE: 's3', S3_BUCKET: 'wtt-documents' }, /S3_ACCESS_KEY_ID must be set when DOCUMENT_STORE=s3 and NODE_ENV=production/],
      [{ ...prod, ...s3, S3_SECRET_ACCESS_KEY: undefined }, /S3_SECRET_ACCESS_KEY must be set/],
      [{ ...valid, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, /S3_SECRET_ACCESS_KEY must be set with S3_ACCESS_KEY_ID/],
      [{ ...valid, S3_BUCKET: 'Not_A_Bucket' }, /^Invalid configuration: S3_BUCKET must be an S3 bucket name/],
      [{ ...valid, S3_PREFIX: '/documents/' }, /^Invalid configuration: S3_PREFIX /],
      [{ ...valid, S3_ENDPOINT: 's3.example.net' }, /^Invalid configuration: S3_ENDPOINT /],
      [{ ...valid, S3_FORCE_PATH_STYLE: 'yes' }, /^Invalid configuration: S3_FORCE_PATH_STYLE /],
    ])('refuses %j with one line naming the variable', (env, message) => {
      expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
    });

    it('never echoes the secret it refuses', () => {
      expect(() => loadConfig({ ...valid, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'short' })).toThrow(/S3_SECRET_ACCESS_KEY .*\(value not shown\)$/);
      expect(() => loadConfig({ ...valid, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'short' })).not.toThrow(/short/);
    });
  });
});
