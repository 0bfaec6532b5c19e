import type { Operation } from './protocol';

export interface ModelStats {
  requests: number;
  byOperation: Partial<Record<Operation, number>>;
  /** Error answers by exception name (including mid-stream ModelStreamErrorException). */
  errors: Record<string, number>;
  completed: number;
  /** Requests the client abandoned before the answer ended (aborts, deadlines, hangs cut). */
  aborted: number;
  inFlight: number;
  peakConcurrency: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Stats extends ModelStats {
  byModel: Record<string, ModelStats>;
}

const emptyModel = (): ModelStats => ({
  requests: 0,
  byOperation: {},
  errors: {},
  completed: 0,
  aborted: 0,
  inFlight: 0,
  peakConcurrency: 0,
  inputTokens: 0,
  outputTokens: 0,
});

/** Counters kept for the whole emulator and per model id. */
export class StatsRecorder {
  private total = emptyModel();
  private models = new Map<string, ModelStats>();

  private each(modelId: string, fn: (s: ModelStats) => void): void {
    let model = this.models.get(modelId);
    if (!model) {
      model = emptyModel();
      this.models.set(modelId, model);
    }
    fn(this.total);
    fn(model);
  }

  request(modelId: string, operation: Operation): void {
    this.each(modelId, (s) => {
      s.requests += 1;
      s.byOperation[operation] = (s.byOperation[operation] ?? 0) + 1;
    });
  }

  error(modelId: string, name: string): void {
    this.each(modelId, (s) => {
      s.errors[name] = (s.errors[name] ?? 0) + 1;
    });
  }

  inFlight(modelId: string): number {
    return this.models.get(modelId)?.inFlight ?? 0;
  }

  begin(modelId: string): void {
    this.each(modelId, (s) => {
      s.inFlight += 1;
      s.peakConcurrency = Math.max(s.peakConcurrency, s.inFlight);
    });
  }

  end(modelId: string, outcome: 'completed' | 'aborted' | 'failed'): void {
    this.each(modelId, (s) => {
      s.inFlight -= 1;
      if (outcome !== 'failed') s[outcome] += 1;
    });
  }

  tokens(modelId: string, input: number, output: number): void {
    this.each(modelId, (s) => {
      s.inputTokens += input;
      s.outputTokens += output;
    });
  }

  snapshot(): Stats {
    const copy = (s: ModelStats): ModelStats => ({
      ...s,
      byOperation: { ...s.byOperation },
      errors: { ...s.errors },
    });
    return {
      ...copy(this.total),
      byModel: Object.fromEntries([...this.models].map(([id, s]) => [id, copy(s)])),
    };
  }

  /** Zeroes the counters; requests still in flight stay counted as in flight. */
  reset(): void {
    const keep = (s: ModelStats): ModelStats => ({
      ...emptyModel(),
      inFlight: s.inFlight,
      peakConcurrency: s.inFlight,
    });
    this.total = keep(this.total);
    for (const [id, s] of this.models) this.models.set(id, keep(s));
  }
}
