/** Jest: unit specs (`*.spec.ts`, collaborators mocked) and integration specs
 * (`*.int-spec.ts`, real Postgres and Redis started by test/setup/global-setup.ts). */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2022', keepClassNames: true }, module: { type: 'commonjs' }, sourceMaps: 'inline' }];
// NestJS 12 and a few of its dependencies ship ESM only. Node 20 loads them through
// require(esm), but Jest's own module loader does not, so Jest compiles them to CommonJS.
const esmOnly = ['@nestjs', '@fastify/cookie', 'content-disposition', 'cookie', 'file-type', 'strtok3', 'token-types', '@tokenizer', '@borewit', 'uint8array-extras', 'openid-client', 'oauth4webapi', 'jose'];
const transform = { '^.+\\.(ts|js|mjs)$': swc };
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  // Integration specs boot real servers and apps; on a loaded 2-core machine a hook can take a while.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{src,jobs,test}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      slowTestThreshold: 10,
    },
    {
      ...common,
      displayName: 'pages',
      // Page tests: the real API on a free port, Debian's Chromium through playwright-core, axe-core.
      testMatch: ['<rootDir>/test/pages/**/*.page-spec.ts'],
      // The integration setup, plus a template database with the demo data seeded once (not once per file).
      globalSetup: '<rootDir>/test/pages/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/env.ts'],
      slowTestThreshold: 30,
    },
  ],
};
