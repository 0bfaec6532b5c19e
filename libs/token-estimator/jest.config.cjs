module.exports = {
  displayName: 'token-estimator',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
