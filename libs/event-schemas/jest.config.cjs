module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'event-schemas', 'unit');
