import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigOrExit } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source';
import type { SeedContext } from './seed-step';
import { steps } from './steps';

export { DEMO_PROGRAMME_NAME } from './demo-constants';
import { DEMO_PROGRAMME_NAME } from './demo-constants';

/**
 * Load the demo data (Manchester 2017) in one transaction. Skips when the demo
 * programme exists, unless `reload` is set: then the demo programme and
 * everything hanging off it is deleted and loaded afresh (demo users are kept
 * and their passwords reset).
 */
export async function seedDemo(url: string, opts: { reload?: boolean; log?: (l: string) => void } = {}): Promise<{ skipped: boolean; lines: string[] }> {
  const lines: string[] = [];
  const log = (l: string) => {
    lines.push(l);
    opts.log?.(l);
  };
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    return await ds.transaction(async (em) => {
      const existing: { id: string }[] = await em.query(`SELECT id FROM programmes WHERE name = $1`, [DEMO_PROGRAMME_NAME]);
      if (existing.length && !opts.reload) {
        log(`demo data already loaded (programme ${existing[0].id}); run \`make seed\` to reload it`);
        return { skipped: true, lines };
      }
      const ctx: SeedContext = { em, log, demo: {} };
      if (existing.length) {
        ctx.demo.previousProgrammeId = existing[0].id;
        // Issued letters and ELI releases refuse DELETE, except in this transaction (see migration 1764300100000).
        await em.query(`SET LOCAL wtt.demo_reload = 'on'`);
      }
      for (const step of steps) await step.run(ctx);
      return { skipped: false, lines };
    });
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit();
  seedDemo(config.DATABASE_URL, { reload: process.argv.includes('--reload'), log: (l) => process.stdout.write(`${l}\n`) }).catch((err: unknown) => {
    console.error(`seed failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}
