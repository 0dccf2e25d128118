/**
 * The baseline of bench/http.bench.ts: a bare Fastify + pg handler (no Nest, no auth, no hooks)
 * answering GET /posts with the same JSON as GET /api/v1/posts (the same SQL, the same keys in the
 * same order; the bench checks the bodies are byte-identical), and GET /health/live.
 *
 *   DATABASE_URL=… PORT=… node dist/bench/bare-server.js
 */
import Fastify from 'fastify';
import { Pool } from 'pg';
import { encodeCursor } from '../src/establishment/cursor';

const LIST_SQL = `
  WITH page AS (SELECT * FROM posts p WHERE p.establishment_status <> 'deleted' ORDER BY p.reference, p.id LIMIT $1)
  SELECT p.id, p.reference, p.title, p.programme_id, p.fte::float8 AS fte, p.establishment_status, p.scope, p.scope_reason,
         to_char(p.scope_decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS scope_decided_at, p.scope_decided_by,
         u.display_name AS decided_by_name, p.version,
         to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
         to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at,
         p.organisation_id, o.name AS organisation_name, o.short_name AS organisation_short_name, p.thematic_area_id, a.name AS area_name,
         p.grade_id, g.code AS grade_code, g.rank AS grade_rank, COALESCE(g.report_group, g.code) AS grade_group,
         COALESCE((SELECT json_agg(json_build_object('employeeId', e.id, 'name', e.first_name || ' ' || e.last_name, 'staffNumber', e.staff_number,
                     'fte', pa.fte::float8, 'startsOn', to_char(pa.starts_on, 'YYYY-MM-DD'), 'endsOn', to_char(pa.ends_on, 'YYYY-MM-DD')) ORDER BY pa.starts_on, e.last_name)
                   FROM post_assignments pa JOIN employees e ON e.id = pa.employee_id
                   WHERE pa.post_id = p.id AND pa.starts_on <= current_date AND (pa.ends_on IS NULL OR pa.ends_on >= current_date)), '[]') AS holders
  FROM page p
  JOIN organisations o ON o.id = p.organisation_id JOIN thematic_areas a ON a.id = p.thematic_area_id JOIN grades g ON g.id = p.grade_id
  LEFT JOIN users u ON u.id = p.scope_decided_by
  ORDER BY p.reference, p.id`;

 
type Row = Record<string, any>;

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const app = Fastify({ logger: false });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get<{ Querystring: { limit?: string } }>('/posts', async (req) => {
    const limit = Number(req.query.limit ?? 50);
    const { rows } = await pool.query<Row>(LIST_SQL, [limit + 1]);
    const more = rows.length > limit;
    const n = more ? limit : rows.length;
    const items = rows.slice(0, n).map((r) => ({
      id: r.id,
      reference: r.reference,
      title: r.title,
      programmeId: r.programme_id,
      organisation: { id: r.organisation_id, name: r.organisation_name, shortName: r.organisation_short_name },
      thematicArea: { id: r.thematic_area_id, name: r.area_name },
      grade: { id: r.grade_id, code: r.grade_code, rank: r.grade_rank, reportGroup: r.grade_group },
      fte: r.fte,
      establishmentStatus: r.establishment_status,
      scope: r.scope,
      scopeReason: r.scope_reason,
      scopeDecidedBy: r.scope_decided_by ? { id: r.scope_decided_by, displayName: r.decided_by_name ?? '' } : null,
      scopeDecidedAt: r.scope_decided_at,
      holders: r.holders,
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
    const last = rows[n - 1];
    return { items, nextCursor: more && last ? encodeCursor({ reference: last.reference, id: last.id }) : null, limit };
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
