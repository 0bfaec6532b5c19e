/**
 * A pattern EventBridge would refuse. `code` and `message` follow AWS's answer to PutRule /
 * TestEventPattern (`InvalidEventPatternException`, "Event pattern is not valid. Reason: ..."), so the
 * local control plane can send them as they are; `problems` lists every reason found.
 */
export class InvalidEventPatternError extends Error {
  readonly code = 'InvalidEventPatternException';
  constructor(readonly problems: string[]) {
    super(`Event pattern is not valid. Reason: ${problems.join('; ')}`);
    this.name = 'InvalidEventPatternError';
  }
}
