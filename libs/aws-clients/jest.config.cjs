module.exports = {
  displayName: 'aws-clients',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
