module.exports = {
  displayName: 'moderation-consumer',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
