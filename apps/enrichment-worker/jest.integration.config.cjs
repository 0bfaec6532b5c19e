module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'enrichment-worker',
  'integration',
);
