/**
 * The layers of the code, checked by `make test` (npm run -s deps). See docs/architecture.md.
 *
 * - Shared, below every feature: config, redis, database, queue, common, events, audit, statutory
 *   and the web shell (src/web except its own pages and module). They never import a feature.
 * - Features, each a folder of src/ without its pages/: they import the shared layer and features
 *   ranked below them (FEATURES, lowest first), never one ranked above, so no two import each other.
 * - Pages (src/<feature>/pages, src/web/pages, src/web/web.module.ts) sit above every feature: a page
 *   composes the services of several. A page never imports another feature's pages.
 * - Entry points (app, main, jobs, seed, home) may import anything; nothing imports them.
 */
const SHARED = ['config', 'redis', 'database', 'queue', 'common', 'events', 'audit', 'statutory'];
const FEATURES = ['users', 'people', 'establishment', 'cases', 'notifications', 'auth', 'forum', 'consultations', 'documents', 'scenarios', 'metrics', 'system', 'health'];
const ENTRY = ['app.module.ts', 'app.setup.ts', 'main.ts', 'seed', 'home'];

const core = (f) => `^src/${f}/(?!pages/)`;
const featureRules = FEATURES.flatMap((f, i) => {
  const above = FEATURES.slice(i + 1);
  if (!above.length) return [];
  return [
    {
      name: `feature-order:${f}`,
      comment: `${f} is ranked below ${above.join(', ')} (.dependency-cruiser.cjs FEATURES): it may not import them`,
      severity: 'error',
      from: { path: core(f) },
      to: { path: `^src/(${above.join('|')})/(?!pages/)` },
    },
  ];
});

module.exports = {
  forbidden: [
    {
      name: 'shared-below-features',
      comment: 'The shared layer (and the web shell) never imports a feature, its pages or an entry point',
      severity: 'error',
      from: { path: [`^src/(${SHARED.join('|')})/`, '^src/web/(?!pages/|web\\.module\\.ts$)'] },
      to: { path: [`^src/(${FEATURES.join('|')})/`, '^src/[^/]+/pages/', '^src/web/web\\.module\\.ts$', `^src/(${ENTRY.join('|').replace(/\./g, '\\.')})`] },
    },
    ...featureRules,
    {
      name: 'features-below-pages',
      comment: 'A feature never imports pages: pages sit above every feature',
      severity: 'error',
      from: { path: `^src/(${FEATURES.join('|')})/(?!pages/)` },
      to: { path: ['^src/[^/]+/pages/', '^src/web/web\\.module\\.ts$'] },
    },
    {
      name: 'pages-keep-to-their-feature',
      comment: "A feature's pages never import another feature's pages (share through src/web)",
      severity: 'error',
      from: { path: '^src/([^/]+)/pages/' },
      to: { path: '^src/[^/]+/pages/', pathNot: '^src/$1/pages/' },
    },
    {
      name: 'nothing-imports-entry-points',
      comment: 'app, main, seed, home and jobs are entry points: nothing in src imports them',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${ENTRY.join('|').replace(/\./g, '\\.')})` },
      to: { path: [`^src/(${ENTRY.join('|').replace(/\./g, '\\.')})`, '^jobs/'] },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles between modules',
      severity: 'error',
      // TypeORM entities may point at each other (a relation and its inverse): that pair is allowed.
      from: { path: '^(src|jobs)/', pathNot: '/entities/' },
      to: { circular: true },
    },
    {
      name: 'every-folder-known',
      comment: 'A new folder in src/ must be placed in a layer of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: `^src/(?!(${[...SHARED, ...FEATURES, 'web'].join('|')}|${ENTRY.join('|').replace(/\./g, '\\.')})(/|$))` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.spec\\.ts$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
