import type { PaymentCompleted } from '@manga-assist/event-schemas';
import { formatMoney } from '@manga-assist/event-schemas';
import { customerLanguage, type Lang } from '@manga-assist/unicode-validator';
import type { ConsumerMetrics } from '../metrics';
import type { HandlerContext, HandlerOutcome, ModelPort, OutboundPort } from '../ports';

export interface PaymentCompletedDeps {
  model: ModelPort;
  outbound: OutboundPort;
  metrics: ConsumerMetrics;
  /** From this receive on, a failing model no longer delays the confirmation: the template is sent. */
  fallbackAfterReceives: number;
}

const CONFIRMATION_RULES = [
  'You write order confirmation messages for a Japanese manga web store.',
  'Include the order ID and the total exactly as written in the order (same currency symbol and digits); never convert or recalculate amounts.',
];

/** The confirmation is written in the customer's language (customerLanguage: checkout locale, country, currency). */
export function confirmationSystemPrompt(lang: Lang): string {
  return [
    ...CONFIRMATION_RULES,
    lang === 'ja'
      ? 'お客様への注文確認メッセージを、日本語で、丁寧な文体（です・ます調）で200文字程度にまとめてください。'
      : 'Warm, professional, under 120 words, in English with a light manga flavour.',
  ].join('\n');
}

export function confirmationPrompt(order: PaymentCompleted, amount: string): string {
  const items = order.items.length
    ? order.items.map((i) => `- ${i.title} (x${i.qty})`).join('\n')
    : '- (items listed in your account)';
  return [
    'Write the order confirmation.',
    `Order ID: ${order.order_id}`,
    `Amount: ${amount}`,
    'Items:',
    items,
  ].join('\n');
}

/** Deterministic confirmation for when the model fails or gets the amount wrong. */
export function templateConfirmation(order: PaymentCompleted, amount: string, lang: Lang): string {
  const items = order.items.map((i) => `- ${i.title} (x${i.qty})`);
  const head =
    lang === 'ja'
      ? `ご注文ありがとうございます。ご注文番号 ${order.order_id}、合計 ${amount} にて承りました。`
      : `Thank you for your order! Order ${order.order_id} is confirmed, total ${amount}.`;
  return [head, ...items].join('\n');
}

/**
 * PaymentCompleted -> confirmation text from Haiku -> signed CRM webhook. The amount is formatted
 * here from minor units (¥1,500, never ¥15) and the model's text must repeat it verbatim; a text
 * that does not is replaced by the template rather than sent with a wrong or missing total.
 */
export function createPaymentCompletedHandler(deps: PaymentCompletedDeps) {
  return async function handlePaymentCompleted(
    ctx: HandlerContext<PaymentCompleted>,
  ): Promise<HandlerOutcome> {
    const { detail, envelope, log } = ctx;
    const lang = customerLanguage({
      locale: detail.locale,
      country: detail.customer_country,
      currency: detail.currency,
    });
    const amount = formatMoney(detail.amount_minor, detail.currency, lang);

    let message: string;
    let generatedBy: 'model' | 'template' = 'model';
    let modelId: string | null = null;
    try {
      const answer = await deps.model.complete({
        system: confirmationSystemPrompt(lang),
        prompt: confirmationPrompt(detail, amount),
        maxTokens: 400,
        temperature: 0.5,
        signal: ctx.signal,
      });
      modelId = answer.modelId;
      message = answer.text.trim();
      if (!message.includes(amount)) {
        deps.metrics.confirmationFallbacks.inc({ reason: 'amount_mismatch' });
        log.warn(
          { orderId: detail.order_id, amount },
          'model confirmation did not state the exact total; using the template',
        );
        message = templateConfirmation(detail, amount, lang);
        generatedBy = 'template';
      }
    } catch (error) {
      if (ctx.receiveCount < deps.fallbackAfterReceives) throw error;
      deps.metrics.confirmationFallbacks.inc({ reason: 'model_error' });
      log.error(
        { err: error, orderId: detail.order_id },
        'confirmation model kept failing; using the template',
      );
      message = templateConfirmation(detail, amount, lang);
      generatedBy = 'template';
    }

    const payload = {
      type: 'order.confirmation',
      event_id: envelope.id,
      order_id: detail.order_id,
      payment_id: detail.payment_id ?? null,
      customer_id: detail.customer_id ?? null,
      customer_email: detail.customer_email ?? null,
      amount_minor: detail.amount_minor,
      currency: detail.currency,
      amount_display: amount,
      language: lang,
      message,
      generated_by: generatedBy,
      model_id: modelId,
    };
    return deps.outbound.deliver('crm', `msg_${envelope.id}`, payload);
  };
}
