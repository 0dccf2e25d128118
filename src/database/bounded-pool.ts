import * as pg from 'pg';
import { ServiceUnavailableError } from '../common/errors/service-unavailable';

/** The pool's own words when no connection came free within connectionTimeoutMillis (pg-pool). */
const POOL_TIMEOUTS = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];

export function isPoolTimeout(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return POOL_TIMEOUTS.some((m) => message.includes(m));
}

export interface PoolLimits {
  /** Connections the pool keeps at most. */
  max: number;
  /** How long a request waits for a free connection before it gets 503 (connectionTimeoutMillis). */
  waitMs: number;
  /** The Retry-After of that 503. */
  retryAfterSeconds: number;
}

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, release: (release?: unknown) => void) => void;

/**
 * pg's module with a Pool whose connect() turns "no connection within the bound" into a 503 with
 * Retry-After (ServiceUnavailableError), so load is answered with backpressure, never a 500.
 * Given to TypeORM as its `driver` (TypeORM calls `new driver.Pool(options)` then `pool.connect(cb)`).
 */
export function boundedPg(limits: PoolLimits): typeof pg {
  const busy = () => new ServiceUnavailableError('The service is busy: every database connection is in use; retry shortly', limits.retryAfterSeconds, 'database');
  class BoundedPool extends pg.Pool {
    override connect(): Promise<pg.PoolClient>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
      if (!callback) {
        return super.connect().catch((err: unknown) => {
          throw isPoolTimeout(err) ? busy() : err;
        });
      }
      super.connect((err, client, release) => callback(err && isPoolTimeout(err) ? busy() : err, client, release));
    }
  }
  // Everything else of the module (types, Client, defaults) as it is.
  // An own property over the module's (a getter in compiled ES-module interop, so not assignable).
  return Object.defineProperty(Object.create(pg) as typeof pg, 'Pool', { value: BoundedPool, enumerable: true });
}
