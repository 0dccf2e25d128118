import { DataSource, QueryFailedError } from 'typeorm';
import { mapException, PG_CLIENT_ERRORS } from '../../src/common/errors/all-exceptions.filter';
import { startTestApp, TestContext } from '../support/test-app';

/**
 * Issue 17: every PostgreSQL error client data can cause maps to a 4xx. Each SQLSTATE in
 * PG_CLIENT_ERRORS is raised through the app's own connection (the runtime role) and mapped;
 * those a client's values provoke are also provoked for real, by the statement shown.
 */
describe('hardening: PostgreSQL errors a client can cause are 4xx', () => {
  let ctx: TestContext;
  let db: DataSource;

  beforeAll(async () => {
    ctx = await startTestApp();
    db = ctx.app.get(DataSource);
  });
  afterAll(async () => ctx?.close());

  const failure = async (sql: string, params: unknown[] = []): Promise<QueryFailedError> => {
    const qr = db.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      await qr.query(`CREATE TEMP TABLE p (id int PRIMARY KEY) ON COMMIT DROP`);
      await qr.query(`CREATE TEMP TABLE t (id int PRIMARY KEY, name varchar(3) NOT NULL, n int CHECK (n >= 0), r int4range, big text, parent int REFERENCES p(id) ON DELETE RESTRICT,
                      EXCLUDE USING gist (r WITH &&)) ON COMMIT DROP`);
      await qr.query(`CREATE INDEX ON t (big)`);
      await qr.query(`INSERT INTO p VALUES (1)`);
      await qr.query(`INSERT INTO t (id, name, r, parent) VALUES (1, 'a', '[1,5)', 1)`);
      await qr.query(sql, params);
    } catch (e) {
      return e as QueryFailedError;
    } finally {
      await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    }
    throw new Error(`expected ${sql} to fail`);
  };
  const code = (e: QueryFailedError) => (e as QueryFailedError & { driverError: { code: string } }).driverError.code;

  it.each(Object.entries(PG_CLIENT_ERRORS))('SQLSTATE %s maps to %j', async (sqlstate, expected) => {
    const e = await failure(`DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '${sqlstate}'; END $$`);
    expect(code(e)).toBe(sqlstate);
    expect(mapException(e)).toMatchObject({ status: expected.status, message: expected.message });
    expect(expected.status).toBeGreaterThanOrEqual(400);
    expect(expected.status).toBeLessThan(500);
  });

  it.each([
    ['22001', `INSERT INTO t (id, name) VALUES (2, 'abcd')`, []],
    ['22003', `SELECT 2147483648::int`, []],
    ['22007', `SELECT 'not a date'::date`, []],
    ['22008', `SELECT '2017-02-30'::date`, []],
    ['22012', `SELECT 1 / 0`, []],
    ['22021', `SELECT $1::text`, ['a\u0000b']],
    ['22023', `SELECT generate_series(1, 10, 0)`, []],
    ['22025', `SELECT 'a' LIKE 'a' ESCAPE 'xx'`, []],
    ['2201B', `SELECT 'a' ~ $1`, ['(']],
    ['22P02', `SELECT $1::uuid`, ['not-a-uuid']],
    ['22P05', `SELECT $1::jsonb`, ['"\\u0000"']],
    ['23502', `INSERT INTO t (id, name) VALUES (2, NULL)`, []],
    ['23503', `INSERT INTO t (id, name, parent) VALUES (2, 'b', 99)`, []],
    ['23503', `DELETE FROM p WHERE id = 1`, []],
    ['23505', `INSERT INTO t (id, name) VALUES (1, 'b')`, []],
    ['23514', `INSERT INTO t (id, name, n) VALUES (2, 'b', -1)`, []],
    ['23P01', `INSERT INTO t (id, name, r) VALUES (2, 'b', '[2,3)')`, []],
    ['54000', `INSERT INTO t (id, name, big) SELECT 2, 'b', string_agg(md5(random()::text), '') FROM generate_series(1, 1000)`, []],
  ])('a client value provokes %s for real, and it maps to a 4xx', async (sqlstate, sql, params) => {
    const e = await failure(sql as string, params as unknown[]);
    expect(code(e)).toBe(sqlstate);
    const mapped = mapException(e);
    expect(mapped.status).toBeGreaterThanOrEqual(400);
    expect(mapped.status).toBeLessThan(500);
  });

  it('any other data exception (class 22) is a 400; errors that are ours stay 500', async () => {
    expect(mapException(await failure(`DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '22004'; END $$`)).status).toBe(400);
    expect(mapException(await failure(`SELECT * FROM no_such_table`)).status).toBe(500);
  });
});
