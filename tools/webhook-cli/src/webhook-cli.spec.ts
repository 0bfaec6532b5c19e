import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_WEBHOOK_SECRETS, startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { SOURCES } from '../../../apps/webhook-receiver/src/sources';
import { parseWebhookArgs, UsageError, USAGE } from './args';
import { deliver } from './deliver';

const root = join(__dirname, '../../..');

describe('npm run webhook (against a real webhook-receiver process with the local secrets)', () => {
  let stack: LocalStack;
  let child: ChildProcess;
  let url = '';
  const archived = (type: string) =>
    (stack.router?.archived() ?? []).filter(
      (e) => e['detail-type'] === type || (type.endsWith('.') && e['detail-type'].startsWith(type)),
    );

  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: { profile: 'zero' }, redis: false });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/webhook-receiver/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...stack.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        WEBHOOK_SECRETS_STRIPE: LOCAL_WEBHOOK_SECRETS.stripe,
        WEBHOOK_SECRETS_REVIEWS: LOCAL_WEBHOOK_SECRETS.reviews,
        WEBHOOK_SECRETS_CATALOG: LOCAL_WEBHOOK_SECRETS.catalog,
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 300; i++) {
      if (
        await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('webhook-receiver did not start');
  }, 60_000);

  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await stack?.stop();
  });

  it('stripe --amount 1500 --currency jpy: accepted, PaymentCompleted for 1500 JPY with the checkout locale ja', async () => {
    const command = parseWebhookArgs(['stripe', '--amount', '1500', '--currency', 'jpy', '--url', url]);
    const answer = await deliver(command.url, command.source, command.secret, command.payload);
    expect(answer.status).toBe(200);
    const orderId = (command.payload as { data: { object: { metadata: { order_id: string } } } }).data.object
      .metadata.order_id;
    await waitFor(() => archived('PaymentCompleted').some((e) => e.detail.order_id === orderId));
    const event = archived('PaymentCompleted').find((e) => e.detail.order_id === orderId);
    expect(event?.detail).toMatchObject({
      amount_minor: 1500,
      currency: 'JPY',
      locale: 'ja',
      customer_country: 'JP',
    });
    // The same delivery again is a duplicate, as Stripe's retries are.
    expect((await deliver(command.url, command.source, command.secret, command.payload)).body).toMatchObject({
      status: 'already_processed',
    });
  });

  it('review --text --rating: accepted, ReviewSubmitted with the text and rating', async () => {
    const command = parseWebhookArgs([
      'review',
      '--text',
      '最高の一冊でした。',
      '--rating',
      '4',
      '--url',
      url,
    ]);
    expect((await deliver(command.url, command.source, command.secret, command.payload)).status).toBe(200);
    const reviewId = (command.payload as { review_id: string }).review_id;
    await waitFor(() => archived('ReviewSubmitted').some((e) => e.detail.review_id === reviewId));
    expect(archived('ReviewSubmitted').find((e) => e.detail.review_id === reviewId)?.detail).toMatchObject({
      review_text: '最高の一冊でした。',
      rating: 4,
    });
  });

  it('catalog --items 12: every item becomes a CatalogUpdate event', async () => {
    const command = parseWebhookArgs(['catalog', '--items', '12', '--url', url]);
    expect((await deliver(command.url, command.source, command.secret, command.payload)).status).toBe(200);
    const batchId = (command.payload as { batch_id: string }).batch_id;
    await waitFor(
      () => archived('CatalogUpdate.').filter((e) => e.detail.batch_id === batchId).length === 12,
    );
  });

  it('a wrong secret is refused by the receiver (the tool signs for real)', async () => {
    const command = parseWebhookArgs(['review', '--url', url, '--secret', 'not-the-secret']);
    expect((await deliver(command.url, command.source, command.secret, command.payload)).status).toBe(403);
  });

  it('runs as `npm run webhook` does and prints the answer', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'main.ts'), 'stripe', '--amount', '990', '--currency', 'usd'],
      {
        cwd: root,
        env: { ...process.env, WEBHOOK_RECEIVER_URL: url },
      },
    );
    expect(stdout).toContain(`POST ${url}/webhooks/stripe`);
    expect(stdout).toMatch(/-> HTTP 200 /);
  }, 30_000);
});

describe('webhook arguments', () => {
  it('follows PORT_OFFSET and signs with the local secrets by default', () => {
    const command = parseWebhookArgs(['catalog'], { PORT_OFFSET: '100' });
    expect(command).toMatchObject({
      source: 'catalog',
      url: 'http://127.0.0.1:3101',
      secret: LOCAL_WEBHOOK_SECRETS.catalog,
    });
  });

  it('offers every source of the receiver registry, by its name and aliases, with its sample', () => {
    for (const source of SOURCES) {
      for (const name of [source.name, ...source.sample.aliases])
        expect(parseWebhookArgs([name])).toMatchObject({ source: source.name, payload: expect.any(Object) });
      expect(USAGE).toContain(source.sample.usage);
    }
  });

  it('refuses unknown sources, options of another source and bad numbers, with the usage', () => {
    expect(() => parseWebhookArgs(['paypal'])).toThrow(UsageError);
    expect(() => parseWebhookArgs(['review', '--amount', '5'])).toThrow(
      '--amount is not an option of review',
    );
    expect(() => parseWebhookArgs(['review', '--rating', '6'])).toThrow(
      '--rating must be an integer from 1 to 5',
    );
    expect(() => parseWebhookArgs(['stripe', '--amount', '15.5'])).toThrow(/--amount must be an integer/);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
