module.exports = {
  displayName: 'enrichment-worker',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
