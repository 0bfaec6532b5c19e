module.exports = {
  displayName: 'infra',
  preset: '../jest.preset.js',
  rootDir: __dirname,
  // Synthesizing a whole stage (VPC, ECS, alarms) takes seconds, more under load.
  testTimeout: 120000,
};
