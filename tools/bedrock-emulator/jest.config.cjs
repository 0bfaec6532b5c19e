module.exports = {
  displayName: 'bedrock-emulator',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
