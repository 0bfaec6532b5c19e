module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'e2e', 'unit');
