module.exports = {
  displayName: 'webhook-cli',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
