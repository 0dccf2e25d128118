import { DataSource, QueryFailedError } from 'typeorm';
import { ServiceUnavailableError } from '../../src/common/errors/service-unavailable';
import { dataSourceOptions } from '../../src/database/data-source';
import { PreparedStatement } from '../../src/database/prepared';
import { createTestDatabase, TestDatabase } from '../support/test-db';

/**
 * The delivery worker's hot statements run as named prepared statements (src/database/prepared.ts):
 * planned once per connection, on the pool TypeORM holds, with its bound (503, not a hang) when
 * every connection is taken.
 */
describe('prepared statements on the TypeORM pool', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await new DataSource(dataSourceOptions(db.url, {}, { max: 1, waitMs: 300, retryAfterSeconds: 2 })).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('is prepared once on the connection and run again from its plan, with results typed as pg gives them', async () => {
    const count = new PreparedStatement<{ n: number; at: Date }>('test_count_programmes', 'SELECT count(*)::int AS n, now() AS at FROM programmes WHERE name <> $1');
    const [a] = await count.run(ds, ['-']);
    const [b] = await count.run(ds, ['--']);
    expect(a.n).toBe(b.n);
    expect(b.at).toBeInstanceOf(Date);
    // The pool has one connection: this query runs on the same session that prepared the statement.
    const [s]: { statement: string; runs: number }[] = await ds.query(
      `SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE name = 'test_count_programmes'`,
    );
    expect(s.statement).toContain('FROM programmes');
    expect(s.runs).toBe(2);
  });

  it('waits for a connection within the pool bound, then gives the 503 error, and works once one is free', async () => {
    const one = new PreparedStatement<{ one: number }>('test_one', 'SELECT $1::int AS one');
    const held = ds.createQueryRunner();
    await held.connect();
    try {
      const started = Date.now();
      await expect(one.run(ds, [1])).rejects.toBeInstanceOf(ServiceUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await held.release();
    }
    expect(await one.run(ds, [1])).toEqual([{ one: 1 }]);
  });

  it('SQL assembled at run time gets one statement per distinct text', async () => {
    const text = (filtered: boolean) => `SELECT count(*)::int AS n FROM programmes${filtered ? ' WHERE name = $1' : ' WHERE $1::text IS NOT NULL'}`;
    const a = PreparedStatement.of<{ n: number }>('test_list', text(true));
    expect(PreparedStatement.of('test_list', text(true))).toBe(a);
    const b = PreparedStatement.of<{ n: number }>('test_list', text(false));
    expect(b.name).not.toBe(a.name);
    expect(a.name).toMatch(/^test_list_[0-9a-f]{16}$/);
    const [all] = await b.run(ds, ['x']);
    const [none] = await a.run(ds, ['no such programme']);
    expect(none.n).toBe(0);
    expect(all.n).toBeGreaterThanOrEqual(0);
    const names: { name: string }[] = await ds.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'test_list_%' ORDER BY name`);
    expect(names.map((r) => r.name).sort()).toEqual([a.name, b.name].sort());
  });

  it('a bad parameter is PostgreSQL’s error as TypeORM gives it (QueryFailedError, with its code)', async () => {
    const one = new PreparedStatement<{ one: number }>('test_uuid', 'SELECT $1::uuid AS one');
    const err: unknown = await one.run(ds, ['not-a-uuid']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryFailedError);
    expect(err).toMatchObject({ code: '22P02', driverError: expect.objectContaining({ code: '22P02' }) });
    expect(await one.run(ds, ['00000000-0000-4000-8000-000000000000'])).toHaveLength(1);
  });
});
