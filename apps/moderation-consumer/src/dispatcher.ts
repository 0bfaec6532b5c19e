import {
  chainDepthOf,
  eventEnvelopeSchema,
  EventValidationError,
  MAX_CHAIN_DEPTH,
  parseDetail,
} from '@manga-assist/event-schemas';
import { activeSpan, type Logger } from '@manga-assist/service-runtime';
import { InvalidEventError } from './errors';
import type { ConsumerMetrics } from './metrics';
import type { HandlerContext, HandlerOutcome } from './ports';

/** How one detail type is handled, with the loop guards that apply to it (docs/architecture.md#loop-guards). */
export interface Route {
  detailType: string;
  // Handlers are typed per detail type where they are defined; the dispatcher validates first.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle: (ctx: HandlerContext<any>) => Promise<HandlerOutcome>;
  /**
   * Whether events published under the consumer's own source may be handled. Only true for the
   * flag it publishes itself on purpose (ModerationFlagged -> hide + alert, which publishes nothing).
   */
  acceptOwnSource: boolean;
  /** Stages accepted; input events must be `raw` so that anything a consumer re-published is ignored. */
  stages: readonly string[];
}

export interface DispatcherDeps {
  routes: readonly Route[];
  /** The source this service publishes under (`mangaassist.ai`). */
  ownSource: string;
  metrics: ConsumerMetrics;
  logger: Pick<Logger, 'child'>;
  maxChainDepth?: number;
}

export interface IncomingMessage {
  id: string;
  body: string;
  receiveCount: number;
  signal: AbortSignal;
}

export type DispatchResult = { detailType: string; outcome: HandlerOutcome };

/**
 * Parses the EventBridge envelope of one SQS message and routes it by detail type.
 * - Not an event / invalid detail: InvalidEventError (poison: to the DLQ with the reason).
 * - Unknown detail type: logged, counted, acknowledged (a rule change must not jam the queue).
 * - Loop guards (chain depth, own source, processing stage): logged, counted, acknowledged.
 * - Handler errors propagate, so the message is retried and eventually dead-lettered.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const routes = new Map(deps.routes.map((r) => [r.detailType, r]));
  const maxDepth = deps.maxChainDepth ?? MAX_CHAIN_DEPTH;
  const { metrics } = deps;

  return async function dispatch(message: IncomingMessage): Promise<DispatchResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(message.body);
    } catch (error) {
      metrics.events.inc({ detail_type: 'none', outcome: 'invalid' });
      throw new InvalidEventError('message body is not JSON / メッセージ本文が JSON ではありません', error);
    }
    const parsed = eventEnvelopeSchema.safeParse(raw);
    if (!parsed.success) {
      metrics.events.inc({ detail_type: 'none', outcome: 'invalid' });
      throw new InvalidEventError(
        `not an EventBridge envelope: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')} / ` +
          'EventBridge のイベント形式ではありません',
      );
    }
    const envelope = parsed.data;
    const detailType = envelope['detail-type'];
    const log = deps.logger.child({
      eventId: envelope.id,
      detailType,
      source: envelope.source,
      messageId: message.id,
    });
    const route = routes.get(detailType);
    // Unknown detail types share one label value: the label set stays bounded whatever arrives.
    const count = (outcome: string) => {
      metrics.events.inc({ detail_type: route ? detailType : 'unknown', outcome });
      return { detailType, outcome };
    };

    if (!route) {
      log.warn('no handler for this detail type; acknowledged without processing');
      return count('unhandled');
    }

    const depth = chainDepthOf(envelope.detail);
    activeSpan().setAttributes({
      'event.id': envelope.id,
      'event.detail_type': detailType,
      'event.chain_depth': depth,
    });
    const rejectLoop = (reason: string, extra: Record<string, unknown>) => {
      metrics.loopRejections.inc({ reason, detail_type: detailType });
      log.error({ reason, depth, ...extra }, 'event rejected by a loop guard');
      return count('loop_rejected');
    };
    if (depth >= maxDepth) return rejectLoop('chain_depth', { maxDepth });
    if (!route.acceptOwnSource && envelope.source === deps.ownSource) return rejectLoop('own_source', {});

    let detail: unknown;
    try {
      detail = parseDetail(detailType, envelope.detail);
    } catch (error) {
      count('invalid');
      if (error instanceof EventValidationError) throw new InvalidEventError(error.message, error);
      throw error;
    }
    // After parsing: an absent stage takes the detail type's default (raw for inputs).
    const stage = (detail as { processing_stage: string }).processing_stage;
    if (!route.stages.includes(stage))
      return rejectLoop('processing_stage', { stage, accepted: route.stages });

    const ctx: HandlerContext<unknown> = {
      envelope: {
        id: envelope.id,
        source: envelope.source,
        'detail-type': detailType,
        time: envelope.time,
        detail,
      },
      detail,
      depth,
      receiveCount: message.receiveCount,
      signal: message.signal,
      log,
    };
    try {
      const outcome = await route.handle(ctx);
      log.info({ outcome }, 'event processed');
      return count(outcome);
    } catch (error) {
      count('error');
      log.error({ err: error, receiveCount: message.receiveCount }, 'event handling failed; will be retried');
      throw error;
    }
  };
}
