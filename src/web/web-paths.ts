import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project root (the folder with package.json), whether running from src/ (tests) or dist/. */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
})();

/** Nunjucks search paths: templates are named from src/ (`web/views/layout.njk`, `establishment/views/matrix.njk`). */
export const TEMPLATE_PATHS = [
  join(PROJECT_ROOT, 'src'),
  join(PROJECT_ROOT, 'node_modules', 'govuk-frontend', 'dist'),
  join(PROJECT_ROOT, 'node_modules', '@ministryofjustice', 'frontend'),
];

export const PUBLIC_DIR = join(PROJECT_ROOT, 'dist', 'public');

/** The hashed assets folder written by scripts/build-assets.mjs (`npm run build:assets`). */
export function assetManifest(): { hash: string; path: string } {
  const file = join(PUBLIC_DIR, 'assets.json');
  if (!existsSync(file)) throw new Error('Web assets are not built: run `npm run build:assets` (make up and make test do)');
  return JSON.parse(readFileSync(file, 'utf8')) as { hash: string; path: string };
}
