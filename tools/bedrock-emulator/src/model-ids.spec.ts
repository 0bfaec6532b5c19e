import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FOUNDATION_MODELS, acceptedModelIds, isValidModelId } from './model-ids';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('model ids as Bedrock checks them', () => {
  it('accepts every listed foundation-model id, its ARN, its inference profiles and their ARNs', () => {
    for (const model of FOUNDATION_MODELS) {
      expect(isValidModelId(model.id)).toBe(true);
      expect(isValidModelId(`arn:aws:bedrock:us-east-1::foundation-model/${model.id}`)).toBe(true);
      for (const geo of model.profiles) {
        expect(isValidModelId(`${geo}.${model.id}`)).toBe(true);
        expect(
          isValidModelId(`arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/${geo}.${model.id}`),
        ).toBe(true);
      }
    }
    expect(isValidModelId('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe(true);
  });

  it.each([
    ['missing version suffix', 'anthropic.claude-3-haiku-20240307-v1'],
    ['missing version and date', 'anthropic.claude-3-haiku'],
    ['typo in the name', 'anthropic.claude-3-haikuu-20240307-v1:0'],
    ['wrong date', 'anthropic.claude-3-haiku-20240229-v1:0'],
    ['wrong version', 'anthropic.claude-3-haiku-20240307-v2:0'],
    ['upper case', 'Anthropic.claude-3-haiku-20240307-v1:0'],
    ['surrounding space', ` ${HAIKU}`],
    ['a profile geography the model does not have', 'global.anthropic.claude-3-haiku-20240307-v1:0'],
    ['an unknown geography', 'asia.anthropic.claude-3-haiku-20240307-v1:0'],
    ['a known provider with an unknown model (the old rule accepted it)', 'anthropic.claude-99'],
    ['a model of another vendor', 'gpt-4o'],
    [
      'foundation-model ARN with an account id',
      `arn:aws:bedrock:us-east-1:123456789012:foundation-model/${HAIKU}`,
    ],
    [
      'inference-profile ARN without an account id',
      `arn:aws:bedrock:us-east-1::inference-profile/us.${HAIKU}`,
    ],
    [
      'inference-profile ARN naming a bare model id',
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${HAIKU}`,
    ],
    [
      'foundation-model ARN with a typo in the id',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku',
    ],
    ['ARN of another service', `arn:aws:sagemaker:us-east-1::foundation-model/${HAIKU}`],
    ['empty', ''],
  ])('refuses %s', (_case, id) => {
    expect(isValidModelId(id)).toBe(false);
  });

  // "Configuration and docs": every source, config and doc file the repository tracks, except test
  // files (which may hold deliberately wrong ids, like this one).
  it('accepts every model id named in the project configuration and docs', () => {
    const root = resolve(__dirname, '../../..');
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|md|json|ya?ml|env|mjs|cjs|txt)$|(^|\/)\.env/.test(f))
      .filter((f) => !/\.spec\.ts$|(^|\/)test-support\//.test(f));
    const idPattern =
      /\b(?:(?:us|eu|apac|jp|au|ca|us-gov|global)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21)\.[a-z0-9-]+-v\d+(?::\d+)?/g;
    const found = new Map<string, string>();
    for (const file of files) {
      for (const id of readFileSync(join(root, file), 'utf8').match(idPattern) ?? []) found.set(id, file);
    }
    // The seeds' ids, the fm-client defaults and the README's examples at least.
    expect(found.size).toBeGreaterThanOrEqual(2);
    expect([...found.keys()]).toContain(HAIKU);
    const refused = [...found].filter(([id]) => !isValidModelId(id)).map(([id, file]) => `${id} (${file})`);
    expect(refused).toEqual([]);
  });

  it('lists ids in plain form, each accepted', () => {
    const ids = acceptedModelIds();
    expect(ids).toContain(`us.${HAIKU}`);
    expect(ids.every(isValidModelId)).toBe(true);
  });
});
