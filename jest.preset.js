// Shared Jest settings for every project. TypeScript is compiled by SWC (fast, no type check:
// the `typecheck` target does that). A few dependencies ship ES modules only; Jest runs
// CommonJS, so SWC transforms those packages too and import-only exports are mapped.
const esmOnly = ['jose', 'fauxqs', 'cockatiel', 'valibot', 'toad-cache'];

// Every project's test target writes a JSON report to tmp/jest/<project>.json (summed into one
// closing line by tools/scripts/test-summary.mjs). Jest does not create that folder itself.
require('node:fs').mkdirSync(require('node:path').join(__dirname, 'tmp', 'jest'), { recursive: true });

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[cm]?[tj]s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^fauxqs$': '<rootDir>/../../node_modules/fauxqs/dist/app.js',
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  resolver: '@nx/jest/plugins/resolver',
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 30000,
};
