module.exports = {
  displayName: 'webhook-signatures',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
