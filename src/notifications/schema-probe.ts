import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * Which feature tables exist. Notifications read tables other features own (milestones,
 * forum_members, transition_cases …); until a feature's migration has run, its lookups are
 * skipped instead of failing the whole relay. A table found stays found; a missing one is
 * looked for again after a minute.
 */
@Injectable()
export class SchemaProbe {
  private readonly found = new Set<string>();
  private readonly missingUntil = new Map<string, number>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async has(table: string): Promise<boolean> {
    if (this.found.has(table)) return true;
    if ((this.missingUntil.get(table) ?? 0) > Date.now()) return false;
    const [row]: { t: string | null }[] = await this.db.query(`SELECT to_regclass($1)::text AS t`, [table]);
    if (row?.t) {
      this.found.add(table);
      return true;
    }
    this.missingUntil.set(table, Date.now() + 60_000);
    return false;
  }

  async hasAll(...tables: string[]): Promise<boolean> {
    for (const t of tables) if (!(await this.has(t))) return false;
    return true;
  }
}
