module.exports = {
  displayName: 'webhook-receiver',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
