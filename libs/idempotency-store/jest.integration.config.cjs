module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'idempotency-store',
  'integration',
);
