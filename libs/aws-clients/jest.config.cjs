module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'aws-clients', 'unit');
