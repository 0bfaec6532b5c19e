module.exports = {
  displayName: 'contract-testing',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
