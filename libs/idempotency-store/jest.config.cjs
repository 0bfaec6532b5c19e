module.exports = {
  displayName: 'idempotency-store',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
};
