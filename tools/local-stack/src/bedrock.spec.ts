import { ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { startLocalStack, type LocalStack } from './stack';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

describe('local stack: Bedrock emulator', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ redis: false, eventbridge: false });
  });
  afterAll(() => stack.stop());

  it('starts the emulator by default with zero latency and points BEDROCK_ENDPOINT and the stack client at it', async () => {
    expect(stack.bedrock).toBeDefined();
    expect(stack.env.BEDROCK_ENDPOINT).toBe(stack.bedrock?.url);
    const out = await stack.clients.bedrock.send(
      new ConverseCommand({
        modelId: HAIKU,
        messages: [{ role: 'user', content: [{ text: 'Recommend a manga' }] }],
      }),
    );
    expect(out.output?.message?.content?.[0]?.text).toBeTruthy();
    expect(stack.bedrock?.stats().byModel[HAIKU].requests).toBe(1);
  });

  it('exposes the emulator handle so tests can inject faults', async () => {
    stack.bedrock?.setFaults({ failNext: { type: 'AccessDeniedException', count: 1 } });
    try {
      await expect(
        stack.clients.bedrock.send(
          new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
        ),
      ).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      stack.bedrock?.resetFaults();
    }
  });

  it('takes a profile, and can be left out', async () => {
    const demo = await startLocalStack({
      redis: false,
      eventbridge: false,
      bedrock: { profile: 'demo', timeScale: 0.01 },
    });
    const none = await startLocalStack({ redis: false, eventbridge: false, bedrock: false });
    try {
      const out = await demo.clients.bedrock.send(
        new ConverseStreamCommand({
          modelId: HAIKU,
          messages: [{ role: 'user', content: [{ text: 'Recommend a manga' }] }],
        }),
      );
      let deltas = 0;
      for await (const event of out.stream ?? []) if (event.contentBlockDelta) deltas += 1;
      expect(deltas).toBeGreaterThan(1);
      expect(none.bedrock).toBeUndefined();
      expect(none.env.BEDROCK_ENDPOINT).toBeUndefined();
    } finally {
      await Promise.all([demo.stop(), none.stop()]);
    }
  });
});
