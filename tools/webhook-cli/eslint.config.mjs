import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The tool sends what the receiver's source registry describes (names, schemes, sample
    // deliveries): the one app module it reads.
    files: ['src/args.ts', 'src/deliver.ts', 'src/webhook-cli.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: ['../../../apps/webhook-receiver/src/sources'],
          depConstraints: [
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:app'] },
          ],
        },
      ],
    },
  },
];
