import {
  concurrencyLimitFor,
  createRandom,
  FaultInputError,
  faultsFromEnv,
  mergeFaults,
  NO_FAULTS,
} from './faults';
import { LATENCY_PROFILES, modelFamily, planLatency } from './models';

describe('fault settings', () => {
  it('merges valid updates and rejects invalid ones with a typed error', () => {
    const f = mergeFaults(NO_FAULTS, { throttleRate: 0.3, concurrencyLimits: { sonnet: 2 }, nextReply: 'x' });
    expect(f).toMatchObject({ throttleRate: 0.3, concurrencyLimits: { sonnet: 2 }, nextReplies: ['x'] });
    expect(() => mergeFaults(NO_FAULTS, { throttleRate: 1.5 })).toThrow(FaultInputError);
    expect(() => mergeFaults(NO_FAULTS, { bogus: 1 })).toThrow(/unknown fault "bogus"/);
    expect(() => mergeFaults(NO_FAULTS, { rateLimit: -1 })).toThrow(/rateLimit must be a number >= 0/);
    expect(mergeFaults(mergeFaults(NO_FAULTS, { rateLimit: 5 }), { rateLimit: null }).rateLimit).toBeNull();
    expect(() => mergeFaults(NO_FAULTS, { failNext: { type: 'Nope' } })).toThrow(FaultInputError);
  });

  it('reads faults from BEDROCK_EMULATOR_FAULT_* variables', () => {
    const patch = faultsFromEnv({
      BEDROCK_EMULATOR_FAULT_THROTTLE_RATE: '0.3',
      BEDROCK_EMULATOR_FAULT_CONCURRENCY_LIMITS: '{"sonnet":4}',
      BEDROCK_EMULATOR_FAULT_ONLY_MODELS: 'sonnet, opus',
      BEDROCK_EMULATOR_FAULT_RATE_LIMIT: '12',
    });
    expect(mergeFaults(NO_FAULTS, patch)).toMatchObject({
      rateLimit: 12,
      throttleRate: 0.3,
      concurrencyLimits: { sonnet: 4 },
      onlyModels: ['sonnet', 'opus'],
    });
  });

  it('picks a per-model concurrency limit by substring, else the global one', () => {
    const f = mergeFaults(NO_FAULTS, { concurrencyLimit: 10, concurrencyLimits: { sonnet: 2 } });
    expect(concurrencyLimitFor(f, 'us.anthropic.claude-3-sonnet-20240229-v1:0')).toBe(2);
    expect(concurrencyLimitFor(f, 'anthropic.claude-3-haiku-20240307-v1:0')).toBe(10);
  });

  it('draws the same sequence for the same seed', () => {
    const a = createRandom(1);
    const b = createRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});

describe('models and latency', () => {
  it('recognises families by substring, including inference profiles', () => {
    expect(modelFamily('us.anthropic.claude-3-haiku-20240307-v1:0')).toBe('haiku');
    expect(modelFamily('anthropic.claude-sonnet-4-5-20250929-v1:0')).toBe('sonnet');
    expect(modelFamily('amazon.nova-lite-v1:0')).toBe('other');
  });

  it('grows time to first token with input tokens (realistic Sonnet at 8,000 tokens: 25-30 s with a chat answer)', () => {
    const sonnet = LATENCY_PROFILES.realistic.sonnet;
    expect(planLatency(sonnet, 8000, 0).ttftMs).toBeGreaterThan(planLatency(sonnet, 1000, 0).ttftMs);
    const total = planLatency(sonnet, 8000, 120).totalMs;
    expect(total).toBeGreaterThanOrEqual(25_000);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(planLatency(LATENCY_PROFILES.zero.sonnet, 8000, 500).totalMs).toBe(0);
  });
});
