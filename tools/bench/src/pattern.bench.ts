// npm run bench -- pattern [iterations]: the local router's event-pattern matcher (AWS engine
// semantics) on the platform's routing rules, per (rule, event) and per event for all rules, against
// JSON.stringify of the same envelope (what the router does to every routed event anyway).
import { DEFAULT_RESOURCE_NAMES } from '@manga-assist/aws-clients';
import { routingRules } from '@manga-assist/event-schemas';
import { matchesPattern } from '@manga-assist/eventbridge-router';

const rules = routingRules(DEFAULT_RESOURCE_NAMES);
const envelope = (source: string, detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'b6f1c0de-0000-4000-8000-000000000000',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-12-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});
const events = [
  envelope('mangaassist.webhooks', 'ReviewSubmitted', {
    review_id: 'r-1',
    product_id: 'p-1',
    review_text: '最高の一冊でした📚'.repeat(40),
    rating: 5,
    processing_stage: 'raw',
    _chain_depth: 0,
  }),
  envelope('mangaassist.catalog', 'CatalogUpdate.price_change', {
    product_id: 'p-2',
    price: 1200,
    processing_stage: 'raw',
    _chain_depth: 0,
  }),
  envelope('mangaassist.ai', 'ModerationFlagged', {
    severity: 'high',
    categories: ['spam', 'abuse'],
    processing_stage: 'processed',
    _chain_depth: 1,
  }),
  envelope('mangaassist.chat', 'MessageReceived', {
    session_id: 's',
    message: 'こんにちは',
    processing_stage: 'raw',
    _chain_depth: 0,
  }),
];

function time(fn: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

const iterations = Number(process.argv[2] ?? 20000);
let sink = 0;
const allRules =
  time(() => {
    for (const event of events) for (const rule of rules) sink += matchesPattern(rule.pattern, event) ? 1 : 0;
  }, iterations) / events.length;
const stringify =
  time(() => {
    for (const event of events) sink += JSON.stringify(event).length;
  }, iterations) / events.length;
console.log(`rules: ${rules.length}, events: ${events.length}, iterations: ${iterations}`);
console.log(
  `match one event against every rule : ${allRules.toFixed(2)} µs (${(allRules / rules.length).toFixed(2)} µs per rule)`,
);
console.log(`JSON.stringify of the same envelope: ${stringify.toFixed(2)} µs`);
console.log(`ratio matching / stringify          : ${(allRules / stringify).toFixed(2)}`);
if (sink < 0) console.log(sink);
