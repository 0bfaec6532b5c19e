import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerSecrets, SecretsUnavailableError } from './secrets';

/**
 * A minimal Secrets Manager endpoint speaking the real wire protocol (AWS JSON 1.1,
 * X-Amz-Target: secretsmanager.GetSecretValue), so the real SDK client is exercised.
 */
async function startSecretsEndpoint(answer: () => { status: number; body: unknown }) {
  const calls: { target: string | undefined; secretId: string }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls.push({
        target: req.headers['x-amz-target'] as string | undefined,
        secretId: JSON.parse(raw).SecretId,
      });
      const { status, body } = answer();
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        ...(status >= 400 ? { 'x-amzn-errortype': 'InternalServiceError' } : {}),
      });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('secrets from AWS Secrets Manager', () => {
  const secretString = JSON.stringify({
    stripe: 'whsec_new,whsec_old',
    reviews: ['rev_a'],
    catalog: 'cat_a',
  });
  let failing = false;
  let endpoint: Awaited<ReturnType<typeof startSecretsEndpoint>>;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    endpoint = await startSecretsEndpoint(() =>
      failing
        ? { status: 500, body: { __type: 'InternalServiceError', message: 'down' } }
        : {
            status: 200,
            body: {
              ARN: 'arn:aws:secretsmanager:us-east-1:0:secret:webhooks',
              Name: 'webhooks',
              SecretString: secretString,
            },
          },
    );
    client = new SecretsManagerClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });
  beforeEach(() => {
    failing = false;
    endpoint.calls.length = 0;
  });

  it('reads every source list (comma string or array) with one cached call, env secrets first', async () => {
    let t = 0;
    const provider = secretsManagerSecrets({
      client,
      secretId: 'webhooks',
      cacheSeconds: 300,
      fallback: { stripe: ['whsec_env'] },
      now: () => t,
    });
    expect(await provider.secretsFor('stripe')).toEqual(['whsec_env', 'whsec_new', 'whsec_old']);
    expect(await provider.secretsFor('reviews')).toEqual(['rev_a']);
    expect(await provider.secretsFor('unknown')).toEqual([]);
    expect(endpoint.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: 'webhooks' }]);
    t += 301_000;
    await provider.secretsFor('catalog');
    expect(endpoint.calls).toHaveLength(2);
  });

  it('keeps the last good secrets when a refresh fails, and fails typed when it never had any', async () => {
    let t = 0;
    const errors: unknown[] = [];
    const provider = secretsManagerSecrets({
      client,
      secretId: 'webhooks',
      cacheSeconds: 1,
      now: () => t,
      onRefreshError: (e) => errors.push(e),
    });
    expect(await provider.secretsFor('catalog')).toEqual(['cat_a']);
    failing = true;
    t += 2000;
    expect(await provider.secretsFor('catalog')).toEqual(['cat_a']);
    expect(errors).toHaveLength(1);

    const cold = secretsManagerSecrets({ client, secretId: 'webhooks', cacheSeconds: 1 });
    await expect(cold.secretsFor('catalog')).rejects.toBeInstanceOf(SecretsUnavailableError);
  });

  it('shares one fetch between concurrent first requests', async () => {
    const provider = secretsManagerSecrets({ client, secretId: 'webhooks', cacheSeconds: 60 });
    await Promise.all(Array.from({ length: 20 }, () => provider.secretsFor('stripe')));
    expect(endpoint.calls).toHaveLength(1);
  });
});
