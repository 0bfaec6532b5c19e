/**
 * The shape of an EventBridge event pattern (the routing rules are data of this shape). Matching
 * and validation live with the local router that evaluates them (tools/eventbridge-router).
 */
type PatternScalar = string | number | boolean | null;
type PatternCondition = PatternScalar | { [operator: string]: unknown };
export interface EventPattern {
  [field: string]: PatternCondition[] | EventPattern | EventPattern[];
}
