import type { EventPattern } from '@manga-assist/event-schemas';
import { compilePattern, PatternSyntaxError } from './compile';
import { InvalidEventPatternError } from './errors';

/**
 * Checks a pattern (an object, or its JSON text as PutRule / TestEventPattern carry it) exactly
 * as EventBridge's engine does and returns it parsed; throws InvalidEventPatternError with the
 * engine's reason for the first problem found (AWS also reports only the first).
 */
export function validatePattern(pattern: unknown): EventPattern {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError([`Filter is not valid JSON: ${(error as Error).message}`]);
    }
  }
  try {
    compilePattern(parsed);
  } catch (error) {
    if (error instanceof PatternSyntaxError) throw new InvalidEventPatternError([error.message]);
    throw error;
  }
  return parsed as EventPattern;
}
