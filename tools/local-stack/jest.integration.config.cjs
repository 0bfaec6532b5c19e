module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'local-stack', 'integration');
