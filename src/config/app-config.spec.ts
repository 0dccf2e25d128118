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
});
