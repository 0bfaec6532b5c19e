/**
 * JSON for an SQS message body with every supplementary-plane character (emoji, 𠮷 and other
 * CJK extension B) written as a `\uXXXX\uXXXX` escape. JSON.parse gives back the same value.
 *
 * Why: fauxqs 2.4 (the local SQS) rejects any character above U+FFFF with "Invalid characters
 * found" (its check is a non-Unicode regex), although real SQS accepts #x10000-#x10FFFF. The
 * escaped form is valid for both, so code that must run on both sends this.
 */
export function toSqsMessageBody(value: unknown): string {
  return JSON.stringify(value).replace(/[\u{10000}-\u{10FFFF}]/gu, (ch) => {
    const hi = ch.charCodeAt(0).toString(16).padStart(4, '0');
    const lo = ch.charCodeAt(1).toString(16).padStart(4, '0');
    return `\\u${hi}\\u${lo}`;
  });
}
