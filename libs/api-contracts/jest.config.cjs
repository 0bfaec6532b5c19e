module.exports = {
  displayName: 'api-contracts',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
