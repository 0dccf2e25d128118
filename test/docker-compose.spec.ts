import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// CI has no Docker engine, so the compose file is checked by reading it.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8'));
  const services = compose.services;

  it('has postgres, redis, a mail catcher, api and worker, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'mailcatcher', 'postgres', 'redis', 'worker']);
    for (const [name, svc] of Object.entries<any>(services)) {
      expect({ name, test: svc.healthcheck?.test }).toEqual({ name, test: expect.any(Array) });
    }
  });

  it('runs redis with the append-only file on and noeviction', () => {
    const cmd: string[] = services.redis.command;
    expect(cmd[cmd.indexOf('--appendonly') + 1]).toBe('yes');
    expect(cmd[cmd.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
  });

  it('builds api and worker from the Dockerfile, the worker running jobs/main', () => {
    expect(services.api.build).toBe('.');
    expect(services.worker.build).toBe('.');
    expect(services.worker.command.join(' ')).toContain('dist/jobs/main.js');
    expect(services.api.ports).toContain('3000:3000');
  });

  it('wires api and worker to postgres, redis and the mail catcher by service name', () => {
    for (const name of ['api', 'worker']) {
      const env = services[name].environment;
      const pg = services.postgres.environment;
      expect(env.DATABASE_URL).toBe(`postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.SMTP_URL).toMatch(/^smtp:\/\/mailcatcher:\d+$/);
    }
    expect(services.api.depends_on.postgres.condition).toBe('service_healthy');
    expect(services.api.depends_on.redis.condition).toBe('service_healthy');
  });
});
