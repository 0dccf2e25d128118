/**
 * Throwaway PostgreSQL and Redis servers for tests and benches: temporary data
 * directory, free port, removed afterwards. PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` user.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import Redis from 'ioredis';
import { Client } from 'pg';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function pgBinDir(): string {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  try {
    return execFileSync('sh', ['-c', 'dirname "$(command -v initdb)"']).toString().trim();
  } catch {
    throw new Error('PostgreSQL server binaries not found (install the postgresql package, or set TEST_DATABASE_URL)');
  }
}

const isRoot = process.getuid?.() === 0;

function pgUid(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within ${timeoutMs} ms`);
}

export interface RunningPostgres {
  url: string; // superuser URL to the `postgres` database
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL; `settings` adds server settings (e.g. shared_preload_libraries for a bench). */
export async function startPostgres(settings: Record<string, string> = {}): Promise<RunningPostgres> {
  const bin = pgBinDir();
  const owner = pgUid();
  const root = mkdtempSync(join(tmpdir(), 'wtt-pg-'));
  chmodSync(root, 0o755);
  const dataDir = join(root, 'data');
  const run = (cmd: string, args: string[]) =>
    execFileSync(join(bin, cmd), args, { stdio: 'pipe', ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) });
  if (owner) chownSync(root, owner.uid, owner.gid);
  run('initdb', ['-D', dataDir, '-U', 'wtt', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'shared_buffers=256MB',
      ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    { stdio: 'ignore', ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) },
  );
  const url = `postgres://wtt@127.0.0.1:${port}/postgres`;
  await waitFor(async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.end();
    return true;
  }, 'PostgreSQL');
  return {
    url,
    port,
    dataDir,
    stop: async () => {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stop the server but keep its port, to start it again with restart(). */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRedis(opts: { port?: number } = {}): Promise<RunningRedis> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wtt-redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    const spawned = child;
    let spawnError: Error | undefined;
    spawned.on('error', (err) => (spawnError = err));
    await waitFor(async () => {
      if (spawnError) throw new Error(`redis-server could not start (${spawnError.message}); install the redis-server package or set TEST_REDIS_URL`);
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, 'Redis');
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGKILL');
    await new Promise((r) => c.once('exit', r));
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
