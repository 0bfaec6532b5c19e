module.exports = require('../../tools/scripts/jest-project.cjs')(__dirname, 'chat-cli', 'integration');
