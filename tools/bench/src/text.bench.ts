// npm run bench -- text [iterations]: validation + token estimate of a 4,000-character mixed
// Japanese message (target <= 0.2 ms together, docs/architecture.md#performance), against naive baselines.
import { estimateTokens } from '@manga-assist/token-estimator';
import { validateChatMessage } from '@manga-assist/unicode-validator';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const piece =
  '最近「葬送のフリーレン」を読み始めました🎉似たような雰囲気のファンタジー漫画でおすすめはありますか？' +
  '𠮷田さんの新刊、ｶﾞﾝﾀﾞﾑ、👨‍👩‍👧‍👦🇯🇵👍🏽 Frieren vol. 12 (2024) ＡＢＣ１２３\n';
let message = '';
while (Array.from(segmenter.segment(message)).length < 4000) message += piece;
message = Array.from(segmenter.segment(message), (s) => s.segment)
  .slice(0, 4000)
  .join('');

function naiveValidate(text: string): boolean {
  let graphemes = 0;
  for (const _ of segmenter.segment(text.normalize('NFC'))) graphemes++;
  return graphemes <= 4000 && Buffer.byteLength(text) <= 24000;
}
function seedEstimate(text: string): number {
  const jp = (text.match(/[\u3000-\u9fff]/g) ?? []).length;
  return Math.floor(jp * 1.5 + (text.length - jp) * 0.3);
}

function bench(name: string, fn: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  console.log(
    `${name.padEnd(42)} ${us.toFixed(1).padStart(8)} µs/call ${Math.round(1e6 / us)
      .toString()
      .padStart(9)} ops/s`,
  );
  return us;
}

const iterations = Number(process.argv[2] ?? 20000);
const check = validateChatMessage(message);
if (!check.ok) throw new Error(`benchmark message rejected: ${check.error.code}`);
console.log(
  `message: ${check.metrics.graphemes} graphemes, ${check.metrics.codePoints} code points, ` +
    `${check.metrics.utf16Units} UTF-16 units, ${check.metrics.utf8Bytes} bytes, ~${estimateTokens(message)} tokens`,
);
const validate = bench('validateChatMessage', () => validateChatMessage(message), iterations);
const estimate = bench('estimateTokens', () => estimateTokens(message), iterations);
const both = bench(
  'validate + estimate',
  () => [validateChatMessage(message), estimateTokens(message)],
  iterations,
);
const naive = bench(
  'baseline: NFC + Intl.Segmenter + byteLength',
  () => naiveValidate(message),
  Math.ceil(iterations / 20),
);
const seed = bench('baseline: seed regex estimate', () => seedEstimate(message), iterations);
console.log(
  `validate + estimate: ${(both / 1000).toFixed(3)} ms (target <= 0.2 ms: ${both <= 200 ? 'met' : 'NOT met'}); ` +
    `validate is ${(naive / validate).toFixed(1)}x faster than the plain segmenter; ` +
    `estimate costs ${(estimate / seed).toFixed(1)}x the seed regex`,
);
