module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'api-contracts', 'integration');
