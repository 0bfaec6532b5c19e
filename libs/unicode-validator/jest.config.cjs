module.exports = {
  displayName: 'unicode-validator',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
