module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'token-estimator', 'integration');
