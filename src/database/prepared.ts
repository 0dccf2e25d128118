import { createHash } from 'node:crypto';
import { DatabaseError, type Pool, type QueryResultRow } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A statement the hot paths run thousands of times a minute (the delivery worker's claim, load and
 * "sent" marks), sent as a named prepared statement: each pooled connection parses and plans it
 * once, and later runs skip PostgreSQL's planner (0.5–0.9 ms a call for these CTEs on the bench
 * machine, a fifth of the database's CPU per email; docs/benchmarks.md). It runs on the pool
 * TypeORM holds, so it shares its connections, bound and 503 (bounded-pool.ts), outside any
 * transaction; inside one, use the EntityManager's query with the same text. PostgreSQL's errors
 * come as TypeORM's QueryFailedError, as from `DataSource.query`.
 *
 * pg keeps the names per connection and plans again by itself after a schema change.
 */
export class PreparedStatement<R extends QueryResultRow> {
  private static readonly built = new Map<string, PreparedStatement<QueryResultRow>>();

  /**
   * The statement for SQL assembled at run time from a fixed set of parts (a list's optional
   * filters): one name per distinct text (`prefix` and a digest of it), so each variant is
   * prepared once per connection. Only for texts the code builds; values go in parameters.
   */
  static of<R extends QueryResultRow>(prefix: string, text: string): PreparedStatement<R> {
    let s = PreparedStatement.built.get(text);
    if (!s) {
      s = new PreparedStatement(`${prefix}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text);
      PreparedStatement.built.set(text, s);
    }
    return s as unknown as PreparedStatement<R>;
  }

  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  async run(db: DataSource, values: unknown[]): Promise<R[]> {
    const pool = (db.driver as PostgresDriver).master as Pool;
    try {
      return (await pool.query<R>({ name: this.name, text: this.text, values })).rows;
    } catch (err) {
      // PostgreSQL's refusals as TypeORM reports them (the error filter maps QueryFailedError's codes to 4xx); the pool's
      // own errors (busy: 503; unreachable) as they are.
      throw err instanceof DatabaseError ? new QueryFailedError(this.text, values, err) : err;
    }
  }
}
