import {
  isFmError,
  type AbSplit,
  type FmClient,
  type FmRequest,
  type FmResponse,
} from '@manga-assist/fm-client';
import { activeSpan, hashUserId, withSpan, type Logger } from '@manga-assist/service-runtime';
import { SessionNotFoundError, type Session, type SessionStore } from './session-store';
import { APOLOGY, buildSystemPrompt, toTurns, withCurrentMessage, type ChatTurn, type Lang } from './prompt';
import { startBudget, type DeadlinePolicy, type RequestBudget } from './deadlines';
import type { UserRateLimiter } from './rate-limit';
import type { Summarizer } from './summarizer';
import type { GatewayMetrics } from './metrics';
import { createSessionWrites } from './session-writes';
import { groundingText, productCards, type CatalogEntry, type ProductCard } from './catalog';

/** Errors a chat action answers with: a code, an HTTP status and a message in both languages. */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly userMessage: { ja: string; en: string },
    readonly retryAfterSeconds?: number,
  ) {
    super(userMessage.en);
    this.name = 'ChatError';
  }
}

export const CHAT_ERRORS = {
  sessionNotFound: () =>
    new ChatError('SESSION_NOT_FOUND', 404, {
      ja: 'セッションが見つかりません。新しい会話を始めてください。',
      en: 'Session not found. Please start a new conversation.',
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new ChatError(
      'RATE_LIMITED',
      429,
      {
        ja: `メッセージの送信が多すぎます。${retryAfterSeconds}秒後にもう一度お試しください。`,
        en: `Too many messages. Please try again in ${retryAfterSeconds} s.`,
      },
      retryAfterSeconds,
    ),
  busy: () =>
    new ChatError('BUSY', 409, {
      ja: '前のメッセージへの回答を作成中です。完了するまでお待ちください。',
      en: 'Still answering your previous message. Please wait for it to finish.',
    }),
  internal: () =>
    new ChatError('INTERNAL', 500, {
      ja: '申し訳ございません。エラーが発生しました。もう一度お試しください。',
      en: 'Sorry, something went wrong. Please try again.',
    }),
};

/** What the chat core needs from libs/token-estimator. */
export interface ContextTools {
  estimateRequestTokens(input: { system: string; messages: ChatTurn[] }): number;
  truncateHistory(input: {
    history: ChatTurn[];
    currentMessage: string;
    system: string;
    budgetTokens: number;
  }): {
    history: ChatTurn[];
    fits: boolean;
    reason?: string;
    /** Estimate of system + kept history + current message, when the truncation computed it anyway. */
    estimatedTokens?: number;
  };
  /** Feeds the estimator's calibration with what the model really counted for this request. */
  observe(request: { system: string; messages: ChatTurn[] }, actualInputTokens: number): void;
}

export interface ChatRequestContext {
  userId: string;
  requestId: string;
  lang: Lang;
  log: Logger;
  transport: 'rest' | 'ws';
  /**
   * Save the exchange after answering (REST): sendMessage resolves with the answer and the write
   * follows; a failed write is logged and counted, as an inline one is. Default: before answering.
   */
  saveAfterAnswer?: boolean;
  /** Aborts when the client goes away (WebSocket closed): model calls stop. */
  signal?: AbortSignal;
}

export interface StreamSink {
  start(meta: { sessionId: string; model: string; variant: string }): void;
  delta(text: string): void;
  /** The partial answer sent so far is discarded (the fallback answer follows). */
  restart(reason: string): void;
}

export type AnswerPath = 'primary' | 'fallback' | 'apology';

export interface SendResult {
  sessionId: string;
  text: string;
  model: string;
  variant: string;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  cached: boolean;
  path: AnswerPath;
  /** History turns left out to fit the input budget. */
  truncated: boolean;
  latencyMs: number;
  /**
   * False when the exchange could not be saved (logged and counted). Saved after the answer
   * (saveAfterAnswer): true means handed to the session writer, whose failures are logged and counted.
   */
  persisted: boolean;
  /** Catalog titles the message mentioned (what grounding gave the model), for product cards. */
  products: ProductCard[];
}

export interface HistoryResult {
  sessionId: string;
  summary?: string;
  turns: { role: 'user' | 'assistant'; content: string; at: number }[];
  expiresAt: number;
}

export interface ChatServiceOptions {
  fm: FmClient;
  store: SessionStore;
  limiter: UserRateLimiter;
  summarizer: Summarizer;
  context: ContextTools;
  grounding: { find(message: string): CatalogEntry[] };
  /** Product links: `{mangaId}` is replaced. */
  productUrlTemplate?: string;
  metrics: GatewayMetrics;
  selectModel(message: string): 'haiku' | 'sonnet';
  abSplit?: AbSplit;
  deadlines: DeadlinePolicy;
  inputTokenBudget: number;
  /** Budget for the fallback's reduced context. */
  fallbackTokenBudget?: number;
  maxOutputTokens: number;
  fallbackModel?: string;
  now?: () => number;
  /** Bound on sessions with a write pending after the answer (beyond it, writes happen before). */
  maxPendingWrites?: number;
  /**
   * Called once per accepted user message (after the rate limit, with the session id it goes to),
   * at setImmediate: after the model call has started. Must not block or throw: the gateway
   * queues a MessageReceived event.
   */
  onMessage?: (message: AcceptedMessage) => void;
  /** Called when an answer came with product cards (not for apologies). Must not block or throw. */
  onRecommendations?: (r: {
    sessionId: string;
    userId: string;
    requestId: string;
    modelId: string;
    products: ProductCard[];
  }) => void;
}

export interface AcceptedMessage {
  sessionId: string;
  userId: string;
  requestId: string;
  message: string;
  lang: Lang;
  transport: ChatRequestContext['transport'];
}

export interface ChatService {
  sendMessage(
    ctx: ChatRequestContext,
    input: { message: string; sessionId?: string },
    sink?: StreamSink,
  ): Promise<SendResult>;
  getHistory(ctx: ChatRequestContext, input: { sessionId: string }): Promise<HistoryResult>;
  clearSession(
    ctx: ChatRequestContext,
    input: { sessionId: string },
  ): Promise<{ sessionId: string; cleared: true }>;
  /** Resolves once exchanges saved after their answer are written (stop, tests). */
  drain(): Promise<void>;
}

interface Attempt {
  request: FmRequest;
  estimatedTokens: number;
  deadlineMs: number;
}

export function createChatService(options: ChatServiceOptions): ChatService {
  const { fm, store, metrics, context } = options;
  const fallbackModel = options.fallbackModel ?? 'haiku';
  const fallbackBudget =
    options.fallbackTokenBudget ?? Math.min(2000, Math.floor(options.inputTokenBudget / 3));

  const writes = createSessionWrites(options.maxPendingWrites);
  const now = options.now ?? Date.now;

  async function loadSession(ctx: ChatRequestContext, sessionId: string): Promise<Session> {
    await writes.settled(sessionId);
    const session = await store.get(sessionId, ctx.userId);
    if (!session) throw CHAT_ERRORS.sessionNotFound();
    return session;
  }

  function buildAttempt(
    lang: Lang,
    message: string,
    session: Session | undefined,
    model: string,
    budgetTokens: number,
    grounding: string | undefined,
  ) {
    const system = buildSystemPrompt({ lang, summary: session?.summary, grounding });
    const history = toTurns(session?.messages ?? []);
    const cut = context.truncateHistory({ history, currentMessage: message, system, budgetTokens });
    const messages = withCurrentMessage(cut.history, message);
    return {
      request: { model, system, messages, maxTokens: options.maxOutputTokens } satisfies FmRequest,
      // The truncation already estimated what it kept: no second pass over the history.
      estimatedTokens: cut.estimatedTokens ?? context.estimateRequestTokens({ system, messages }),
      truncated: cut.history.length < history.length,
      dropped: history.length - cut.history.length,
      fits: cut.fits,
      reason: cut.reason,
    };
  }

  /** One model call, streamed to the sink when there is one. */
  async function call(
    attempt: Attempt,
    ctx: ChatRequestContext,
    sessionId: string,
    variant: string,
    sink: StreamSink | undefined,
    onFirstDelta: () => void,
  ): Promise<FmResponse> {
    const callOptions = {
      deadlineMs: attempt.deadlineMs,
      signal: ctx.signal,
      sessionId,
      variant,
      requestId: ctx.requestId,
    };
    if (!sink) return fm.invoke(attempt.request, callOptions);
    for await (const event of fm.stream(attempt.request, callOptions)) {
      if (event.type === 'delta') {
        onFirstDelta();
        sink.delta(event.text);
      } else return event.response;
    }
    throw new Error('model stream ended without a response');
  }

  async function answer(
    ctx: ChatRequestContext,
    message: string,
    session: Session | undefined,
    sessionId: string,
    budget: RequestBudget,
    sink: StreamSink | undefined,
  ) {
    const assigned = options.abSplit?.assign(sessionId);
    const model = assigned?.model ?? options.selectModel(message);
    const variant = assigned?.name ?? model;
    const found = options.grounding.find(message);
    const grounding = groundingText(found);
    sink?.start({ sessionId, model, variant });

    const primary = buildAttempt(ctx.lang, message, session, model, options.inputTokenBudget, grounding);
    // Fields on each line rather than a child logger: a child costs its bindings' serialisation on
    // every request, the lines below are written on some only (info is off in the bench, warn rare).
    const at = { sessionId, model, variant };
    let streamed = false;
    const markStreamed = () => {
      streamed = true;
    };
    const primaryDeadline = budget.primaryMs(primary.estimatedTokens);
    const startedPrimary = performance.now();
    try {
      const response = await call(
        { ...primary, deadlineMs: primaryDeadline },
        ctx,
        sessionId,
        variant,
        sink,
        markStreamed,
      );
      metrics.model('primary', response.modelId, (performance.now() - startedPrimary) / 1000);
      if (!response.cached)
        context.observe(
          { system: primary.request.system, messages: primary.request.messages },
          response.inputTokens,
        );
      ctx.log.info(
        {
          ...at,
          path: 'primary',
          estimatedTokens: primary.estimatedTokens,
          truncated: primary.truncated,
          droppedTurns: primary.dropped,
          deadlineMs: Math.round(primaryDeadline),
          cached: response.cached,
          inputTokens: response.inputTokens,
          outputTokens: response.outputTokens,
        },
        'chat answered (primary path)',
      );
      return { response, path: 'primary' as const, variant, truncated: primary.truncated, found };
    } catch (error) {
      if (isFmError(error, 'ABORTED') || ctx.signal?.aborted) throw error;
      const reason = isFmError(error) ? error.code : 'UNEXPECTED';
      metrics.model('primary_failed', model, (performance.now() - startedPrimary) / 1000);
      if (streamed) sink?.restart(reason);

      // Fallback: Haiku with less context (summary + the last exchange), within what is left.
      const lastExchange = session ? { ...session, messages: session.messages.slice(-2) } : undefined;
      const fallback = buildAttempt(
        ctx.lang,
        message,
        lastExchange,
        fallbackModel,
        fallbackBudget,
        grounding,
      );
      const fallbackDeadline = budget.fallbackMs(fallback.estimatedTokens);
      ctx.log.warn(
        {
          ...at,
          path: 'fallback',
          reason,
          err: (error as Error).message,
          primaryDeadlineMs: Math.round(primaryDeadline),
          estimatedTokens: primary.estimatedTokens,
          fallbackDeadlineMs: Math.round(fallbackDeadline),
          elapsedMs: Math.round(budget.elapsedMs()),
        },
        'primary model call failed; falling back to Haiku with less context',
      );
      if (fallbackDeadline > 0) {
        const startedFallback = performance.now();
        streamed = false;
        try {
          const response = await call(
            { ...fallback, deadlineMs: fallbackDeadline },
            ctx,
            sessionId,
            `${variant}:fallback`,
            sink,
            markStreamed,
          );
          metrics.model('fallback', response.modelId, (performance.now() - startedFallback) / 1000);
          metrics.fallback('fallback', reason);
          ctx.log.info(
            {
              ...at,
              path: 'fallback',
              reason,
              elapsedMs: Math.round(budget.elapsedMs()),
              inputTokens: response.inputTokens,
            },
            'chat answered (fallback path: Haiku, reduced context)',
          );
          return {
            response,
            path: 'fallback' as const,
            variant: `${variant}:fallback`,
            truncated: true,
            found,
          };
        } catch (fallbackError) {
          if (isFmError(fallbackError, 'ABORTED') || ctx.signal?.aborted) throw fallbackError;
          if (streamed) sink?.restart(isFmError(fallbackError) ? fallbackError.code : 'UNEXPECTED');
          ctx.log.warn(
            {
              ...at,
              path: 'apology',
              reason,
              fallbackErr: (fallbackError as Error).message,
              elapsedMs: Math.round(budget.elapsedMs()),
            },
            'fallback failed too; answering with an apology',
          );
        }
      } else {
        ctx.log.warn(
          { ...at, path: 'apology', reason, elapsedMs: Math.round(budget.elapsedMs()) },
          'no time left for a fallback; answering with an apology',
        );
      }
      metrics.fallback('apology', reason);
      const text = APOLOGY[ctx.lang];
      sink?.delta(text);
      const response: FmResponse = {
        text,
        modelId: 'none',
        inputTokens: 0,
        outputTokens: 0,
        latencyMs: 0,
        costUsd: 0,
        stopReason: 'apology',
        cached: false,
      };
      return {
        response,
        path: 'apology' as const,
        variant,
        truncated: primary.truncated,
        found: [] as CatalogEntry[],
      };
    }
  }

  return {
    async sendMessage(ctx, input, sink) {
      const budget = startBudget(options.deadlines);
      const receivedAt = now();
      const decision = await options.limiter.consume(ctx.userId);
      if (!decision.allowed) throw CHAT_ERRORS.rateLimited(decision.retryAfterSeconds);
      const session = input.sessionId ? await loadSession(ctx, input.sessionId) : undefined;
      const sessionId = input.sessionId ?? store.newSessionId();
      const onMessage = options.onMessage;
      if (onMessage) {
        const accepted: AcceptedMessage = {
          sessionId,
          userId: ctx.userId,
          requestId: ctx.requestId,
          message: input.message,
          lang: ctx.lang,
          transport: ctx.transport,
        };
        // Once the model call is on the wire (the trace context follows): building and queueing
        // the event is not on the way to the model.
        setImmediate(() => {
          try {
            onMessage(accepted);
          } catch (error) {
            ctx.log.warn(
              { err: (error as Error).message, sessionId },
              'message hook failed (chat unaffected)',
            );
          }
        });
      }

      // A recording span only: with tracing off the user id is not hashed for nothing.
      const span = activeSpan();
      if (span.isRecording())
        span.setAttributes({ 'session.id': sessionId, 'user.hash': hashUserId(ctx.userId) });
      const { response, path, variant, truncated, found } = await withSpan(
        'model answer',
        {},
        async (span) => {
          const answered = await answer(ctx, input.message, session, sessionId, budget, sink);
          span.setAttributes({
            'gen_ai.request.model': answered.response.modelId,
            'gen_ai.usage.input_tokens': answered.response.inputTokens,
            'gen_ai.usage.output_tokens': answered.response.outputTokens,
            'gen_ai.usage.cost_usd': answered.response.costUsd,
            'chat.path': answered.path,
            'chat.cached': answered.response.cached,
          });
          return answered;
        },
      );
      const products = productCards(
        found,
        options.productUrlTemplate ?? 'https://manga-assist.example/products/{mangaId}',
      );
      if (products.length && options.onRecommendations) {
        try {
          options.onRecommendations({
            sessionId,
            userId: ctx.userId,
            requestId: ctx.requestId,
            modelId: response.modelId,
            products,
          });
        } catch (error) {
          ctx.log.warn(
            { err: (error as Error).message, sessionId },
            'recommendation hook failed (chat unaffected)',
          );
        }
      }

      let persisted = true;
      if (path !== 'apology') {
        // When each happened, not when saved: the store keeps the order the client sent them in.
        const answeredAt = now();
        const save = async (): Promise<boolean> => {
          try {
            const saved = await withSpan('session write', { attributes: { 'session.id': sessionId } }, () =>
              store.append({
                sessionId,
                userId: ctx.userId,
                create: !session,
                // What this request read (or a brand-new id): the write needs no second read.
                known: session ?? 'absent',
                messages: [
                  { role: 'user', content: input.message, at: receivedAt },
                  { role: 'assistant', content: response.text, at: answeredAt },
                ],
              }),
            );
            options.summarizer.maybeSchedule(saved);
            return true;
          } catch (error) {
            metrics.session('write_failed');
            ctx.log.error(
              {
                err: (error as Error).message,
                sessionId,
                notFound: error instanceof SessionNotFoundError,
                afterAnswer: Boolean(ctx.saveAfterAnswer),
              },
              'could not save the exchange; the answer is still returned',
            );
            return false;
          }
        };
        if (ctx.saveAfterAnswer && writes.accepts()) writes.after(sessionId, save);
        else persisted = await save();
      }
      return {
        sessionId,
        text: response.text,
        model: response.modelId,
        variant,
        usage: { inputTokens: response.inputTokens, outputTokens: response.outputTokens },
        costUsd: response.costUsd,
        cached: response.cached,
        path,
        truncated,
        latencyMs: Math.round(budget.elapsedMs()),
        persisted,
        products,
      };
    },

    async getHistory(ctx, { sessionId }) {
      const session = await loadSession(ctx, sessionId);
      return {
        sessionId,
        ...(session.summary ? { summary: session.summary } : {}),
        turns: session.messages.map(({ role, content, at }) => ({ role, content, at })),
        expiresAt: session.ttl,
      };
    },

    async clearSession(ctx, { sessionId }) {
      await writes.settled(sessionId);
      try {
        await store.clear(sessionId, ctx.userId);
      } catch (error) {
        if (error instanceof SessionNotFoundError) throw CHAT_ERRORS.sessionNotFound();
        throw error;
      }
      return { sessionId, cleared: true as const };
    },

    drain: () => writes.drain(),
  };
}
