import { randomBytes } from 'node:crypto';
import { hashPassword } from '../users/password';
import { Role } from '../common/access/role.enum';
import type { SeedStep } from './seed-step';

export const DEMO_USERS = [
  { email: 'admin@demo.example', displayName: 'Demo Admin', role: Role.Admin },
  { email: 'hr@demo.example', displayName: 'Demo HR Officer (joint HR/OD team)', role: Role.HrOfficer },
  { email: 'manager@demo.example', displayName: 'Demo Manager (adult commissioning)', role: Role.Manager },
  { email: 'rep@demo.example', displayName: 'Demo Trade Union Rep (joint TU forum)', role: Role.TuRep },
] as const;

/** Areas the demo manager covers (when the establishment step has created them). */
const MANAGER_AREAS = ['Learning Disability', 'Mental Health', 'Older People and Physical Disability'];

/**
 * One demo user per role, sharing one generated password (printed once by `make up`,
 * kept in .data/demo-credentials.txt). The API refuses to start in production while
 * any active demo user exists. Reloading keeps the users and resets the password.
 */
export const demoUsersStep: SeedStep = {
  name: 'demo users',
  async run({ em, log, demo }) {
    const password = process.env.DEMO_PASSWORD || `demo-${randomBytes(6).toString('base64url')}`;
    const hash = await hashPassword(password);
    for (const u of DEMO_USERS) {
      const [row]: { id: string }[] = await em.query(
        `INSERT INTO users (email, display_name, role, password_hash, is_demo) VALUES ($1, $2, $3, $4, true)
         ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
           display_name = EXCLUDED.display_name, is_active = true, deactivated_at = NULL,
           token_version = users.token_version + 1, is_demo = true, updated_at = now()
         RETURNING id`,
        [u.email, u.displayName, u.role, hash],
      );
      await em.query(`DELETE FROM user_scopes WHERE user_id = $1`, [row.id]);
      if (demo.programmeId && u.role === Role.TuRep) {
        await em.query(`INSERT INTO user_scopes (user_id, programme_id) VALUES ($1, $2)`, [row.id, demo.programmeId]);
      }
      if (demo.programmeId && u.role === Role.Manager) {
        for (const area of MANAGER_AREAS) {
          const areaId = demo.areaIds?.[area];
          if (areaId) await em.query(`INSERT INTO user_scopes (user_id, programme_id, thematic_area_id) VALUES ($1, $2, $3)`, [row.id, demo.programmeId, areaId]);
        }
      }
      await em.query(
        `INSERT INTO audit_log (actor_label, action, entity_type, entity_id, metadata) VALUES ('seed', 'seed.demo_user', 'user', $1, $2)`,
        [row.id, JSON.stringify({ email: u.email, role: u.role })],
      );
    }
    log('Demo users (one per role), password for all of them:');
    for (const u of DEMO_USERS) log(`  ${u.role.padEnd(10)} ${u.email}`);
    log(`  password:  ${password}`);
  },
};

/** Refuse to run in production while demo users can sign in. */
export async function assertNoDemoUsersInProduction(query: (sql: string) => Promise<{ n: string }[]>, isProduction: boolean): Promise<void> {
  if (!isProduction) return;
  const [{ n }] = await query(`SELECT count(*)::text AS n FROM users WHERE is_demo AND is_active`);
  if (Number(n) > 0) {
    throw new Error(`refusing to start in production: ${n} active demo user(s) exist; deactivate or delete them first`);
  }
}
