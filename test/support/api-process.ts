import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { hashPassword } from '../../src/users/password';
import { ALL_ROLES, Role } from '../../src/common/access/role.enum';
import { freePort } from './servers';
import { createTestDatabase, TestDatabase } from './test-db';

/**
 * The real API as its own process (`node src/main.ts` through the same transpiler the tests use,
 * so no build is needed), on its own database cloned from the migrated template and connected with
 * the runtime role, on a free port. For the acceptance suite: a client from outside, over TCP.
 */
export interface ApiProcess {
  base: string;
  db: TestDatabase;
  sql: Client;
  /** An access token per role (scopes, if any, are for the caller to add). */
  tokens: Record<Role, string>;
  userIds: string[];
  stop(): Promise<void>;
}

async function waitReady(base: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the API process exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health/live`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the API process did not become ready');
}

export async function startApiProcess(env: Record<string, string> = {}): Promise<ApiProcess> {
  const db = await createTestDatabase();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: db.url,
      REDIS_URL: process.env.WTT_TEST_REDIS_URL!,
      REDIS_PREFIX: `a${randomBytes(5).toString('hex')}`,
      LOG_LEVEL: process.env.ACCEPTANCE_LOG_LEVEL ?? 'error',
      THROTTLE_LIMIT: '10000000',
      SIGN_IN_DELAY_BASE_MS: '0',
      SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sql = new Client({ connectionString: db.adminUrl });
  try {
    await waitReady(base, child);
    await sql.connect();
  } catch (e) {
    child.kill('SIGKILL');
    await db.drop();
    throw e;
  }

  const password = `acceptance-${randomBytes(6).toString('hex')}`;
  const hash = await hashPassword(password);
  const tokens = {} as Record<Role, string>;
  const userIds: string[] = [];
  for (const role of ALL_ROLES) {
    const email = `${role}.${randomBytes(3).toString('hex')}@acceptance.test`;
    const { rows } = await sql.query(`INSERT INTO users (email, display_name, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`, [email, `Acceptance ${role}`, role, hash]);
    userIds.push(rows[0].id);
    const res = await fetch(`${base}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (!res.ok) throw new Error(`sign-in as ${role} failed: ${res.status} ${await res.text()}`);
    tokens[role] = ((await res.json()) as { accessToken: string }).accessToken;
  }
  return {
    base,
    db,
    sql,
    tokens,
    userIds,
    stop: async () => {
      await sql.end().catch(() => undefined);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), r(undefined)), 5000);
          child.once('exit', () => (clearTimeout(t), r(undefined)));
        });
      }
      await db.drop();
    },
  };
}
