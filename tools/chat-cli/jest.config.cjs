module.exports = {
  displayName: 'chat-cli',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
