import { setTimeout as wait } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type Role = 'user' | 'assistant';

export interface StoredMessage {
  /** Monotonic per session; lets the summariser say "everything up to seq N" safely under concurrency. */
  seq: number;
  role: Role;
  content: string;
  /** Epoch ms: a user message when the gateway received it, an answer when it was ready. */
  at: number;
}

export interface Session {
  sessionId: string;
  userId: string;
  version: number;
  messages: StoredMessage[];
  summary?: string;
  summarizedThrough: number;
  lastSeq: number;
  createdAt: number;
  updatedAt: number;
  /** Epoch seconds; DynamoDB TTL deletes late, so readers treat ttl <= now as absent. */
  ttl: number;
}

export class SessionNotFoundError extends Error {
  readonly code = 'SESSION_NOT_FOUND';
  constructor() {
    super('session not found');
    this.name = 'SessionNotFoundError';
  }
}

export class SessionContentionError extends Error {
  readonly code = 'SESSION_CONTENTION';
  constructor(attempts: number) {
    super(`session write lost ${attempts} races in a row`);
    this.name = 'SessionContentionError';
  }
}

export interface SessionStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  ttlSeconds: number;
  /** Oldest messages beyond these bounds are dropped so the item stays far below 400 KB. */
  maxMessages: number;
  maxItemBytes: number;
  maxAttempts?: number;
  now?: () => number;
  onDropped?: (sessionId: string, dropped: number) => void;
  /**
   * Answers given without an earlier exchange of the session in their context: their copy was read
   * before that exchange's write landed (another instance, within the save-after-answer window).
   */
  onStaleContext?: (sessionId: string, missedAnswers: number) => void;
}

export interface SessionStore {
  /** The live session, or undefined when absent, expired or owned by someone else. */
  get(sessionId: string, userId: string): Promise<Session | undefined>;
  newSessionId(): string;
  /**
   * Appends messages; creates the session when `create` is set. Retries lost races (no turn is lost).
   * `known` is the session as this request already read it (undefined for a brand-new id): the first
   * attempt writes against it, conditionally, without reading again; a stale copy costs one retry.
   * Messages go in the order they happened, not the order their writes landed: they are placed
   * before any stored user message received after the last of them (`at`, default now), which only
   * happens when an exchange saved after its answer lost the race to the client's next message,
   * served by another instance (docs/architecture.md#save-after-answer).
   */
  append(args: {
    sessionId: string;
    userId: string;
    create: boolean;
    messages: { role: Role; content: string; at?: number }[];
    known?: Session | 'absent';
  }): Promise<Session>;
  clear(sessionId: string, userId: string): Promise<Session>;
  /**
   * Replaces every message up to `through` (the last message summarised) by `summary`. A no-op
   * (undefined) when the session is gone, a newer summary is in, or `through.seq` now names another
   * message (an exchange was placed before it since it was read: the summary would fold the wrong turns).
   */
  applySummary(
    sessionId: string,
    userId: string,
    summary: string,
    through: Pick<StoredMessage, 'seq' | 'role' | 'at' | 'content'>,
  ): Promise<Session | undefined>;
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { documentClient, tableName } = options;
  const now = options.now ?? Date.now;
  const maxAttempts = options.maxAttempts ?? 10;

  async function read(sessionId: string): Promise<Session | undefined> {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: { sessionId }, ConsistentRead: true }),
    );
    return Item as Session | undefined;
  }

  const isLive = (s: Session | undefined): s is Session => !!s && s.ttl > Math.floor(now() / 1000);

  /**
   * Read-modify-write guarded by the version attribute, retried with jitter on a lost race. With
   * `known` (what the caller read moments ago, or 'absent') the first attempt skips the read: the
   * conditional write still refuses it if the item changed, and the retry reads afresh.
   */
  async function update(
    sessionId: string,
    change: (current: Session | undefined) => Session | undefined,
    known?: Session | 'absent',
  ): Promise<Session | undefined> {
    // The speculative write does not count as an attempt: a stale copy is not a lost race.
    let speculative = known !== undefined && (known === 'absent' || isLive(known));
    // Optimistic locking, not a retry of a failure: each turn re-reads and re-applies the change.
    for (let attempt = 1; attempt <= maxAttempts;) {
      const stored = speculative
        ? known === 'absent'
          ? undefined
          : (known as Session)
        : await read(sessionId);
      const next = change(isLive(stored) ? stored : undefined);
      if (!next) return undefined;
      next.version = (stored?.version ?? 0) + 1;
      next.updatedAt = now();
      next.ttl = Math.floor(now() / 1000) + options.ttlSeconds;
      try {
        await documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: next,
            ...(stored
              ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': stored.version } }
              : { ConditionExpression: 'attribute_not_exists(sessionId)' }),
          }),
        );
        return next;
      } catch (error) {
        if (
          !(error instanceof ConditionalCheckFailedException) &&
          (error as Error).name !== 'ConditionalCheckFailedException'
        ) {
          throw error;
        }
        if (speculative) {
          speculative = false;
          continue;
        }
        await wait(Math.random() * 5 * attempt);
        attempt++;
      }
    }
    throw new SessionContentionError(maxAttempts);
  }

  /**
   * `added` placed before the first stored user message received after the last of them (none in
   * the usual case: appended), and the seqs from there renumbered, so that they still rise along the
   * list (the summary folds "everything up to seq N"). Returns how many stored exchanges it went
   * before: each was answered without it.
   */
  function placeInOrder(session: Session, added: { role: Role; content: string; at?: number }[]): number {
    if (added.length === 0) return 0;
    const stamped = added.map((m) => ({ role: m.role, content: m.content, at: m.at ?? now() }));
    const lastAt = Math.max(...stamped.map((m) => m.at));
    const found = session.messages.findIndex((m) => m.role === 'user' && m.at > lastAt);
    const at = found < 0 ? session.messages.length : found;
    const after = session.messages.slice(at);
    let seq = after.length ? after[0].seq : session.lastSeq + 1;
    session.messages = [
      ...session.messages.slice(0, at),
      ...[...stamped, ...after].map((m) => ({ ...m, seq: seq++ })),
    ];
    session.lastSeq = seq - 1;
    return after.filter((m) => m.role === 'user').length;
  }

  /** What tells one stored message from another when seqs may have been renumbered. */
  const identity = (m: Pick<StoredMessage, 'role' | 'at' | 'content'>) => `${m.role}|${m.at}|${m.content}`;

  /** Answers in `current`, given before `receivedAt`, that the copy `known` did not hold. */
  function unseenAnswers(
    current: Session,
    known: Session | 'absent',
    receivedAt: number | undefined,
  ): number {
    if (receivedAt === undefined) return 0;
    const seen = new Set(known === 'absent' ? [] : known.messages.map(identity));
    return current.messages.filter(
      (m) => m.role === 'assistant' && m.at < receivedAt && !seen.has(identity(m)),
    ).length;
  }

  function bound(session: Session): Session {
    let dropped = 0;
    while (
      session.messages.length > options.maxMessages ||
      (session.messages.length > 2 && Buffer.byteLength(JSON.stringify(session)) > options.maxItemBytes)
    ) {
      session.messages.shift();
      dropped++;
    }
    // The history must open with a user message for the model.
    while (session.messages[0]?.role === 'assistant') {
      session.messages.shift();
      dropped++;
    }
    if (dropped) options.onDropped?.(session.sessionId, dropped);
    return session;
  }

  return {
    async get(sessionId, userId) {
      const s = await read(sessionId);
      return isLive(s) && s.userId === userId ? s : undefined;
    },
    newSessionId: () => randomUUID(),
    async append({ sessionId, userId, create, messages, known }) {
      let missed = 0;
      const result = await update(
        sessionId,
        (current) => {
          if (current && current.userId !== userId) throw new SessionNotFoundError();
          if (!current && !create) throw new SessionNotFoundError();
          const base: Session = current
            ? structuredClone(current)
            : {
                sessionId,
                userId,
                version: 0,
                messages: [],
                summarizedThrough: 0,
                lastSeq: 0,
                createdAt: now(),
                updatedAt: now(),
                ttl: 0,
              };
          // Answers given without another: this one, when it lands before later exchanges (their
          // copies lacked it), or those its own stale copy lacked (a fresh read shows them).
          const answeredWithout = placeInOrder(base, messages);
          missed =
            answeredWithout +
            (known && current && current !== known ? unseenAnswers(current, known, messages[0]?.at) : 0);
          return bound(base);
        },
        known,
      );
      if (missed > 0) options.onStaleContext?.(sessionId, missed);
      return result as Session;
    },
    async clear(sessionId, userId) {
      const result = await update(sessionId, (current) => {
        if (!current || current.userId !== userId) throw new SessionNotFoundError();
        const next = structuredClone(current);
        next.messages = [];
        delete next.summary;
        next.summarizedThrough = next.lastSeq;
        return next;
      });
      return result as Session;
    },
    async applySummary(sessionId, userId, summary, through) {
      const throughSeq = through.seq;
      return update(sessionId, (current) => {
        if (!current || current.userId !== userId || current.summarizedThrough >= throughSeq)
          return undefined;
        // Dropped by the size bound meanwhile is fine (folded either way); renumbered is not.
        const atSeq = current.messages.find((m) => m.seq === throughSeq);
        if (atSeq && identity(atSeq) !== identity(through)) return undefined;
        const next = structuredClone(current);
        next.messages = next.messages.filter((m) => m.seq > throughSeq);
        while (next.messages[0]?.role === 'assistant') next.messages.shift();
        next.summary = summary;
        next.summarizedThrough = throughSeq;
        return next;
      });
    },
  };
}
