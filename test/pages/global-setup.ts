import { Client } from 'pg';
import { seedDemo } from '../../src/seed/seed';
import globalSetup, { TEMPLATE_DB } from '../setup/global-setup';
import { DEMO_PASSWORD } from '../support/browser';
import { roleUrl, TEST_ROLES } from '../support/test-db';

export const DEMO_TEMPLATE_DB = 'wtt_test_template_demo';

/**
 * The page tests' global setup: the integration one (servers, the migrated template), then a second
 * template with the demo data loaded once, as startWebApp loaded it into every file's database
 * before (the same seedDemo, as the app's runtime role, the demo users' password DEMO_PASSWORD).
 * startWebApp clones it for the files that run without the worker (test/support/browser.ts says why
 * not the others).
 */
export default async function pagesGlobalSetup(): Promise<void> {
  await globalSetup();
  const adminUrl = process.env.WTT_TEST_PG_ADMIN_URL!;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DEMO_TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DEMO_TEMPLATE_DB} TEMPLATE ${TEMPLATE_DB} OWNER ${TEST_ROLES.owner.name}`);
  } finally {
    await admin.end();
  }
  const url = roleUrl(adminUrl, TEST_ROLES.app);
  url.pathname = `/${DEMO_TEMPLATE_DB}`;
  const previous = process.env.DEMO_PASSWORD;
  process.env.DEMO_PASSWORD = DEMO_PASSWORD;
  try {
    await seedDemo(url.toString());
  } finally {
    if (previous === undefined) delete process.env.DEMO_PASSWORD;
    else process.env.DEMO_PASSWORD = previous;
  }
  process.env.WTT_TEST_PLAIN_TEMPLATE_DB = TEMPLATE_DB;
  process.env.WTT_TEST_DEMO_TEMPLATE_DB = DEMO_TEMPLATE_DB;
}
