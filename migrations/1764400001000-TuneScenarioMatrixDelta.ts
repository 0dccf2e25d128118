import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * scenario_matrix_delta(), tuned (issue 16 bench): one pass over the scenario's changes (its index
 * on scenario_id), each joined once to its live post by primary key, each change giving its two
 * contributions (the live one taken out, the proposed one put in) side by side, aggregated once.
 * Changes that leave a post in the same cell are dropped before the aggregate. The old version read
 * the changes and the posts twice (a UNION ALL of the two halves). Same result, same signature.
 * The post is looked up in a LATERAL subquery with LIMIT 1 (the id is the primary key, so it changes
 * nothing) so the planner cannot turn the lookup into a hash join over every post of the programme:
 * at 1,000,000 posts it chose a sequential scan of all of them for 10,000 changes (EXPLAIN in
 * docs/benchmarks.md). The cost is O(changes), whatever the size of the establishment.
 */
export class TuneScenarioMatrixDelta1764400001000 implements MigrationInterface {
  name = 'TuneScenarioMatrixDelta1764400001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION scenario_matrix_delta(p_programme uuid, p_scenario uuid)
      RETURNS TABLE (thematic_area_id uuid, grade_id uuid, scope text, fte numeric, posts integer)
      LANGUAGE sql STABLE
      AS $$
        SELECT v.thematic_area_id, v.grade_id, v.scope, v.fte, sum(v.n)::int
        FROM scenario_changes c
        LEFT JOIN LATERAL (
          SELECT lp.id, lp.thematic_area_id, lp.grade_id, lp.scope, lp.fte FROM posts lp
          WHERE lp.id = c.post_id AND lp.programme_id = p_programme AND lp.establishment_status <> 'deleted'
          LIMIT 1
        ) p ON true
        CROSS JOIN LATERAL (VALUES
          (p.thematic_area_id, p.grade_id, p.scope, p.fte, -1),
          (coalesce(c.thematic_area_id, p.thematic_area_id), coalesce(c.grade_id, p.grade_id), coalesce(c.scope, p.scope), coalesce(c.fte, p.fte), 1)
        ) v (thematic_area_id, grade_id, scope, fte, n)
        WHERE c.scenario_id = p_scenario
          AND (c.kind = 'create' OR p.id IS NOT NULL)
          AND (v.n = 1 OR c.kind <> 'create')
          AND (v.n = -1 OR c.kind <> 'delete')
          AND (c.kind <> 'change' OR (c.thematic_area_id IS NOT NULL AND c.thematic_area_id <> p.thematic_area_id)
            OR (c.grade_id IS NOT NULL AND c.grade_id <> p.grade_id) OR (c.scope IS NOT NULL AND c.scope <> p.scope)
            OR (c.fte IS NOT NULL AND c.fte <> p.fte))
        GROUP BY v.thematic_area_id, v.grade_id, v.scope, v.fte
        HAVING sum(v.n) <> 0
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION scenario_matrix_delta(p_programme uuid, p_scenario uuid)
      RETURNS TABLE (thematic_area_id uuid, grade_id uuid, scope text, fte numeric, posts integer)
      LANGUAGE sql STABLE
      AS $$
        SELECT x.thematic_area_id, x.grade_id, x.scope, x.fte, sum(x.n)::int
        FROM (
          SELECT p.thematic_area_id, p.grade_id, p.scope, p.fte, -1 AS n
          FROM scenario_changes c JOIN posts p ON p.id = c.post_id
          WHERE c.scenario_id = p_scenario AND p.programme_id = p_programme AND p.establishment_status <> 'deleted'
          UNION ALL
          SELECT coalesce(c.thematic_area_id, p.thematic_area_id), coalesce(c.grade_id, p.grade_id), coalesce(c.scope, p.scope), coalesce(c.fte, p.fte), 1
          FROM scenario_changes c LEFT JOIN posts p ON p.id = c.post_id
          WHERE c.scenario_id = p_scenario AND c.kind <> 'delete'
            AND (c.kind = 'create' OR (p.programme_id = p_programme AND p.establishment_status <> 'deleted'))
        ) x
        GROUP BY x.thematic_area_id, x.grade_id, x.scope, x.fte
        HAVING sum(x.n) <> 0
      $$`);
  }
}
