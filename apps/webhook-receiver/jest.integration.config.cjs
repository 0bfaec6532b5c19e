module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'webhook-receiver',
  'integration',
);
