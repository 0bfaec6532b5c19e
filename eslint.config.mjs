import nx from '@nx/eslint-plugin';

// Who may import whom. Apps use libs; libs use libs; tools (emulators, local stack, benches,
// CLI) may use anything; the infrastructure (CDK) reads the libs' shared definitions. Tests may
// also start the local tools (emulators) in-process.
// Libs by scope (docs/architecture.md#layout-and-dependency-rules): pure text logic depends on
// nothing; the runtime (config, logs, HTTP, AWS clients, SQS loop) on pure libs only; domain libs
// (model client, idempotency, signatures) on runtime and pure; the event contract on all three.
const scopes = {
  'scope:pure': ['scope:pure'],
  'scope:runtime': ['scope:pure', 'scope:runtime'],
  'scope:domain': ['scope:pure', 'scope:runtime', 'scope:domain'],
  'scope:contract': ['scope:pure', 'scope:runtime', 'scope:domain', 'scope:contract'],
};
const scopeConstraints = (extra) =>
  Object.entries(scopes).map(([sourceTag, tags]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: [...tags, ...extra],
  }));
const sourceConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:app'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib'] },
  ...scopeConstraints([]),
];
const testConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:app'] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
  ...scopeConstraints(['type:tool']),
];
const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: true, banTransitiveDependencies: false, allow: [], depConstraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/tmp', '**/coverage', '**/test-output'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(sourceConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // One JSON body reader: jsonBody from service-runtime (its errors, limits and CPU cost are known).
      'no-restricted-properties': [
        'error',
        { object: 'express', property: 'json', message: 'Use jsonBody from @manga-assist/service-runtime.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'express',
              importNames: ['json'],
              message: 'Use jsonBody from @manga-assist/service-runtime.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/test-support/**'],
    rules: {
      // One way to answer with JSON: sendJson from service-runtime (res.json re-parses its content type per call).
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='json'][arguments.length>0]",
          message: 'Answer with sendJson(res, status, body) from @manga-assist/service-runtime.',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test-support/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(testConstraints) },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
