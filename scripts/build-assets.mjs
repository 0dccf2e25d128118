#!/usr/bin/env node
// Build the web service's static assets into dist/public/<hash>/:
//   application.css  GOV.UK Frontend + MoJ Frontend + ours, compiled with sass
//   govuk-frontend.min.js, moj-frontend.min.js, app.js
//   fonts/, images/, manifest.json (from govuk-frontend and MoJ Frontend)
// <hash> is a digest of everything that goes in, so every file can be cached for a year
// (fonts included: the stylesheet is compiled with the hashed folder as its assets path).
// dist/public/assets.json names the folder for the server. Skips work when the hash is unchanged.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sass from 'sass';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'public');
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk');
const moj = join(root, 'node_modules', '@ministryofjustice', 'frontend', 'moj');
const ours = join(root, 'src', 'web', 'assets');

const files = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile())
    .sort();

const hash = createHash('sha256');
for (const f of [join(govuk, '..', '..', 'package.json'), join(moj, '..', 'package.json'), ...files(ours)]) {
  hash.update(relative(root, f)).update(readFileSync(f));
}
const digest = hash.digest('hex').slice(0, 12);
const manifestFile = join(out, 'assets.json');
if (existsSync(manifestFile) && JSON.parse(readFileSync(manifestFile, 'utf8')).hash === digest && existsSync(join(out, digest, 'application.css'))) {
  process.exit(0);
}

const started = Date.now();
rmSync(out, { recursive: true, force: true });
const dest = join(out, digest);
mkdirSync(dest, { recursive: true });
const assetsPath = `/assets/${digest}/`;
const source = `$assets-path: "${assetsPath}";\n${readFileSync(join(ours, 'application.scss'), 'utf8')}`;
const css = sass.compileString(source, {
  loadPaths: [root],
  style: 'compressed',
  quietDeps: true,
  url: new URL(`file://${join(ours, "application.scss")}`),
  logger: sass.Logger.silent, // the frameworks' own deprecation notices are not ours to fix
}).css;
writeFileSync(join(dest, 'application.css'), css);
cpSync(join(govuk, 'govuk-frontend.min.js'), join(dest, 'govuk-frontend.min.js'));
cpSync(join(moj, 'moj-frontend.min.js'), join(dest, 'moj-frontend.min.js'));
cpSync(join(ours, 'app.js'), join(dest, 'app.js'));
cpSync(join(govuk, 'assets', 'fonts'), join(dest, 'fonts'), { recursive: true });
cpSync(join(govuk, 'assets', 'images'), join(dest, 'images'), { recursive: true });
cpSync(join(moj, 'assets', 'images'), join(dest, 'images'), { recursive: true });
cpSync(join(govuk, 'assets', 'manifest.json'), join(dest, 'manifest.json'));
writeFileSync(manifestFile, JSON.stringify({ hash: digest, path: assetsPath }, null, 2));
console.error(`assets built in ${Date.now() - started} ms: dist/public/${digest}`);
