import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The compose test checks docker-compose.yml against what each app reads: the apps' own config
    // schemas. This is the one place a tool reads an app module, and only its config.
    files: ['src/compose.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: ['../../../apps/**/src/config'],
          depConstraints: [
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:app'] },
          ],
        },
      ],
    },
  },
];
