module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'unicode-validator',
  'integration',
);
