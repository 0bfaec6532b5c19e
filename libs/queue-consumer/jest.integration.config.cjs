module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'queue-consumer', 'integration');
