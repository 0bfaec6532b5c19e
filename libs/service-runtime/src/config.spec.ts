import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  PORT: env.port(3000),
  NAME: env.string(),
  RATE: env.number(1.5, { min: 0, max: 10 }),
  ENABLED: env.bool(false),
  ORIGINS: env.list(['a']),
  ENDPOINT: env.optionalUrl(),
});

describe('loadConfig', () => {
  it('applies defaults and coerces strings into typed values', () => {
    const config = loadConfig('svc', schema, { NAME: 'x', ENABLED: 'yes', ORIGINS: 'a, b ,,c' });
    expect(config).toEqual({
      PORT: 3000,
      NAME: 'x',
      RATE: 1.5,
      ENABLED: true,
      ORIGINS: ['a', 'b', 'c'],
      ENDPOINT: undefined,
    });
  });

  it('treats an empty optional URL as unset', () => {
    expect(loadConfig('svc', schema, { NAME: 'x', ENDPOINT: '' }).ENDPOINT).toBeUndefined();
  });

  it('names every missing or malformed variable in one error', () => {
    let caught: unknown;
    try {
      loadConfig('svc', schema, { PORT: '99999', RATE: 'fast', ENABLED: 'maybe', ENDPOINT: 'nope' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { problems, message, code } = caught as ConfigError;
    expect(code).toBe('CONFIG_INVALID');
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'ENABLED',
      'ENDPOINT',
      'NAME',
      'PORT',
      'RATE',
    ]);
    expect(problems.find((p) => p.startsWith('NAME'))).toMatch(/not set/);
    expect(message.split('\n')[0]).toBe('svc: invalid configuration:');
  });
});
