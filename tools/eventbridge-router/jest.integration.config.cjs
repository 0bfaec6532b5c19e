module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'eventbridge-router',
  'integration',
);
