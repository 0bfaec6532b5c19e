module.exports = {
  displayName: 'queue-consumer',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
