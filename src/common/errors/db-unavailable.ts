/**
 * Telling "PostgreSQL is not there right now" apart from a fault of ours. A request that meets
 * one of these answers 503 with Retry-After (the client should simply retry), never 500; the
 * worker retries the write instead of failing the job.
 *
 * - SQLSTATE class 08 (connection exception) and 57P01 admin_shutdown, 57P02 crash_shutdown,
 *   57P03 cannot_connect_now ("the database system is shutting down" / "is starting up"),
 *   53300 too_many_connections;
 * - the socket errors of a server that is gone (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT,
 *   EHOSTUNREACH, ENOTFOUND, EAI_AGAIN), also inside an AggregateError (Node's happy eyeballs);
 * - node-postgres' own: "timeout exceeded when trying to connect" (pg-pool), "Connection
 *   terminated unexpectedly", "Connection terminated due to connection timeout", "Client has
 *   encountered a connection error and is not queryable".
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated unexpectedly/i,
  /connection terminated due to connection timeout/i,
  /connection terminated$/i,
  /not queryable/i,
  /the database system is (shutting down|starting up|in recovery mode|not yet accepting connections)/i,
  /terminating connection due to administrator command/i,
];
/** Conflicts that go away when the same statement is run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001', '55P03']);

/** Seconds a client is told to wait (Retry-After) while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** The error and what it wraps (TypeORM's driverError, an AggregateError's errors, a cause), at most a few levels deep. */
function* chain(err: unknown, depth = 0): Generator<ErrorLike> {
  if (!err || typeof err !== 'object' || depth > 4) return;
  const e = err as ErrorLike;
  yield e;
  if (e.driverError && e.driverError !== err) yield* chain(e.driverError, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
  if (e.cause && e.cause !== err) yield* chain(e.cause, depth + 1);
}

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code))) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (message && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  }
  return false;
}

/** Worth running the same statement again shortly: the database is unavailable, or a deadlock / serialization conflict. */
export function isTransientDatabaseError(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true;
  for (const e of chain(err)) if (typeof e.code === 'string' && RETRYABLE_SQLSTATES.has(e.code)) return true;
  return false;
}
