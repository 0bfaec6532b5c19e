import baseConfig from '../../eslint.config.mjs';

export default [
  ...baseConfig,
  {
    // The contracts are built by the apps' own document modules (from the zod schemas they validate
    // with): the one place this tool reads app modules.
    files: ['src/documents.ts', 'src/asyncapi.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          allow: ['../../../apps/**/src/openapi', '../../../apps/**/src/asyncapi'],
          depConstraints: [
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool', 'type:app'] },
          ],
        },
      ],
    },
  },
];
