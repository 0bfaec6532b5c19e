module.exports = {
  displayName: 'eventbridge-router',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
