import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { AppConfig } from '../config/app-config';

/** The channel the users/user_scopes triggers (migration 1764660000000) notify with the user's id. */
export const IDENTITY_CHANNEL = 'wtt_identity';

interface Entry<T> {
  value: T;
  until: number;
}

/**
 * The callers' identities (user, role, token version, scopes), kept for IDENTITY_CACHE_SECONDS so
 * an authenticated request needs no database round trip for who is calling (issue 20).
 *
 * It stays as true as the database:
 * - every change of a user or their scopes, by any process or by SQL, notifies IDENTITY_CHANNEL from
 *   a trigger in the same transaction; each process LISTENs on its own connection and drops that
 *   user on the notification (PostgreSQL delivers it at commit);
 * - this process's own changes (deactivation, role and scope changes, password changes) drop the
 *   user at once, after their commit, without waiting for the notification;
 * - the cache is used only while the LISTEN connection is up: until it has listened, and from the
 *   moment it drops, every request reads the database, and reconnecting empties the cache;
 * - a read that began before an invalidation is never stored (a generation count), so a slow read
 *   cannot put back what a change has just dropped.
 * So "deactivation stops tokens at once" holds: at once on this process, within the notification's
 * delivery (milliseconds) on the others. IDENTITY_CACHE_SECONDS=0 turns the cache off.
 */
@Injectable()
export class IdentityCache<T = unknown> implements OnModuleDestroy {
  private readonly logger = new Logger('IdentityCache');
  private readonly entries = new Map<string, Entry<T>>();
  private generation = 0;
  private client: Client | null = null;
  private listening = false;
  private starting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly ttlMs: number;
  private readonly maxEntries = 10_000;
  private syncs = 0;
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly config: AppConfig) {
    this.ttlMs = config.IDENTITY_CACHE_SECONDS * 1000;
  }

  get enabled(): boolean {
    return this.ttlMs > 0 && this.listening;
  }

  /** The cached identity, or undefined (also whenever the cache is off or not listening). */
  get(id: string): T | undefined {
    if (!this.enabled) {
      this.start();
      return undefined;
    }
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.until <= Date.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return e.value;
  }

  /** Take before reading the database; pass to set() so a read overtaken by a change is not stored. */
  mark(): number {
    return this.generation;
  }

  set(id: string, value: T, mark: number): void {
    if (!this.enabled || mark !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { value, until: Date.now() + this.ttlMs });
  }

  /** Drop a user (after this process committed a change to them; the trigger tells the others). */
  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  /**
   * Resolves once every change committed before the call has reached this cache (PostgreSQL
   * delivers notifications in commit order, so a marker sent now arrives after them). For tests
   * that change users with SQL, as another process would; a no-op while the cache is off.
   */
  async sync(): Promise<void> {
    const client = this.client;
    if (!this.enabled || !client) return;
    const marker = `sync:${process.pid}:${++this.syncs}`;
    const arrived = new Promise<void>((resolve) => this.waiting.set(marker, resolve));
    try {
      await client.query(`SELECT pg_notify($1, $2)`, [IDENTITY_CHANNEL, marker]);
      await Promise.race([arrived, new Promise((r) => setTimeout(r, 5000).unref())]);
    } finally {
      this.waiting.delete(marker);
    }
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private start(): void {
    if (this.ttlMs <= 0 || this.closed || this.starting || this.listening || this.retryTimer) return;
    this.starting = this.listen().finally(() => (this.starting = null));
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.DATABASE_URL, application_name: 'wtt identity cache' });
    client.on('error', (err: Error) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      client.on('notification', (n: Notification) => {
        if (n.channel !== IDENTITY_CHANNEL) return;
        const waiter = n.payload ? this.waiting.get(n.payload) : undefined;
        if (waiter) waiter();
        else if (n.payload) this.invalidate(n.payload);
        else this.clear();
      });
      await client.query(`LISTEN ${IDENTITY_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.clear();
      this.listening = true;
    } catch (err) {
      this.lost(client, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.client && this.client !== client) return;
    const was = this.listening;
    this.listening = false;
    this.client = null;
    this.clear();
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.closed) return;
    if (was) this.logger.warn(`identity cache off until its LISTEN connection is back: ${err.message}`);
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, 2000);
    this.retryTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.starting;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
