module.exports = require('../../tools/scripts/jest-project.cjs')(
  __dirname,
  'bedrock-emulator',
  'integration',
);
