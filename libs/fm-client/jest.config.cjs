module.exports = {
  displayName: 'fm-client',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
