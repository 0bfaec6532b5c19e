module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'moderation-consumer',
  'integration',
);
