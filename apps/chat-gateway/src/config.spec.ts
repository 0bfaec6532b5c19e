import { ConfigError } from '@manga-assist/service-runtime';
import { loadChatGatewayConfig } from './config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadChatGatewayConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the config was accepted');
};

describe('chat-gateway config', () => {
  it('names the auth problems together with the other invalid variables, in one message', () => {
    const message = problemsOf({ PORT: 'not-a-port', AUTH_JWT_SECRET: 'short' });
    expect(message).toContain('PORT');
    expect(message).toContain('AUTH_JWT_SECRET: must be at least 32 characters');
  });

  it('names a missing identity configuration next to another bad variable', () => {
    const message = problemsOf({ RATE_LIMIT_POINTS: '-5', AUTH_DEV_ISSUER: 'true' });
    expect(message).toContain('RATE_LIMIT_POINTS');
    expect(message).toContain('set AUTH_JWT_SECRET (HS256) or AUTH_JWKS_URL');
    expect(message).toContain('AUTH_DEV_ISSUER: the dev issuer needs AUTH_JWT_SECRET');
  });

  it('accepts a valid environment', () => {
    expect(loadChatGatewayConfig({ AUTH_JWT_SECRET: 'x'.repeat(32) }).PORT).toBe(3000);
  });
});
