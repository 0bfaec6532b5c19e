// Shared Jest settings for every project. TypeScript is compiled by SWC (fast, no type check:
// the `typecheck` target does that). A few dependencies ship ES modules only; Jest runs
// CommonJS, so SWC transforms those packages too and import-only exports are mapped.
const esmOnly = ['jose', 'fauxqs', 'cockatiel', 'valibot', 'toad-cache'];

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
