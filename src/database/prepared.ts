import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A statement the hot paths run thousands of times a minute (the delivery worker's claim, load and
 * "sent" marks), sent as a named prepared statement: each pooled connection parses and plans it
 * once, and later runs skip PostgreSQL's planner (0.5–0.9 ms a call for these CTEs on the bench
 * machine, a fifth of the database's CPU per email; docs/benchmarks.md). It runs on the pool
 * TypeORM holds, so it shares its connections, bound and 503 (bounded-pool.ts), outside any
 * transaction; inside one, use the EntityManager's query with the same text.
 *
 * pg keeps the names per connection and plans again by itself after a schema change.
 */
export class PreparedStatement<R extends QueryResultRow> {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  async run(db: DataSource, values: unknown[]): Promise<R[]> {
    const pool = (db.driver as PostgresDriver).master as Pool;
    return (await pool.query<R>({ name: this.name, text: this.text, values })).rows;
  }
}
