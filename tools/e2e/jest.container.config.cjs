// The container test (`nx run e2e:container-test`): its own config so `npm test` never runs it;
// tools/scripts/container-test.sh builds the images and starts Docker first.
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  displayName: 'e2e:container-test',
  testMatch: ['<rootDir>/src/**/*.container-test.ts'],
  testTimeout: 180000,
};
