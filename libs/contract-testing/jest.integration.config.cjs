module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'contract-testing',
  'integration',
);
