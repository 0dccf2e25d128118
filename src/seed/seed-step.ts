import type { EntityManager } from 'typeorm';

/** Shared between seed steps: ids the later steps need (programme, areas, posts …). */
export interface SeedContext {
  em: EntityManager;
  log(line: string): void;
  demo: {
    programmeId?: string;
    /** thematic area name -> id */
    areaIds?: Record<string, string>;
    /** organisation short name -> id */
    organisationIds?: Record<string, string>;
    [key: string]: unknown;
  };
}

export interface SeedStep {
  name: string;
  run(ctx: SeedContext): Promise<void>;
}
