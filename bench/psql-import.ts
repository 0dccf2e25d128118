/**
 * The raw baseline of the import benches: psql `\copy` of the same CSV file the product is sent,
 * into a staging table, then one INSERT … SELECT into posts (the file names organisations, areas
 * and grades; the table holds their ids). The imported rows are the ones whose reference starts IMP-.
 */
import { Client } from 'pg';

/**
 * The psql script that loads `csvPath` into the programme's posts. `defaultScopeReason`: the reason
 * stored where a row gives none (as the worker import does); without it, none is stored.
 */
export function psqlImportScript(csvPath: string, programmeId: string, opts: { defaultScopeReason?: string } = {}): string {
  const reason = opts.defaultScopeReason === undefined ? `NULLIF(s.scope_reason, '')` : `COALESCE(NULLIF(s.scope_reason, ''), '${opts.defaultScopeReason.replace(/'/g, "''")}')`;
  return `BEGIN;
CREATE TEMP TABLE stage (reference text, title text, organisation text, thematic_area text, grade text, fte text, establishment_status text, scope text, scope_reason text) ON COMMIT DROP;
\\copy stage FROM '${csvPath}' WITH (FORMAT csv, HEADER true)
INSERT INTO posts (programme_id, organisation_id, reference, title, thematic_area_id, grade_id, fte, establishment_status, scope, scope_reason, scope_decided_at)
SELECT '${programmeId}', o.id, s.reference, s.title, a.id, g.id, s.fte::numeric, s.establishment_status, COALESCE(NULLIF(s.scope, ''), a.default_scope), ${reason}, now()
FROM stage s JOIN organisations o ON o.short_name = s.organisation
JOIN thematic_areas a ON a.programme_id = '${programmeId}' AND a.name = s.thematic_area
JOIN grades g ON g.organisation_id = o.id AND g.code = s.grade;
COMMIT;
`;
}

/** Deletes the imported (IMP-) posts and vacuums, so that the next run, product or psql, starts from the same table. */
export async function deleteImported(sql: Client): Promise<void> {
  await sql.query(`DELETE FROM posts WHERE reference LIKE 'IMP-%'`);
  await sql.query('VACUUM ANALYZE posts');
  await sql.query('VACUUM ANALYZE post_scope_history');
}
