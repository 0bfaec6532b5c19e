module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'service-runtime', 'unit');
