// fauxqs 2.4 accepts SendMessage's MessageSystemAttributes but drops them, and never returns
// AWSTraceHeader from ReceiveMessage. SQS keeps that one system attribute with the message and
// returns it when AWSTraceHeader (or All) is asked for: these hooks on fauxqs' Fastify app add
// exactly that, so traces cross the local queues the way they cross SQS.

interface HookedRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}
interface FastifyHooks {
  addHook(
    name: 'onSend',
    hook: (request: HookedRequest, reply: { statusCode: number }, payload: unknown) => Promise<unknown>,
  ): unknown;
}

type Json = Record<string, unknown>;

const headerOf = (message: unknown): string | undefined => {
  const attr = ((message as Json | undefined)?.MessageSystemAttributes as Json | undefined)
    ?.AWSTraceHeader as { StringValue?: unknown } | undefined;
  return typeof attr?.StringValue === 'string' ? attr.StringValue : undefined;
};

/** Remembers each sent message's AWSTraceHeader (bounded, oldest forgotten first) and returns it on receive. */
export function addAwsTraceHeaderSupport(
  app: FastifyHooks,
  { maxMessages = 100_000 } = {},
): {
  readonly size: number;
} {
  const headers = new Map<string, string>();
  const remember = (messageId: unknown, header: string | undefined) => {
    if (typeof messageId !== 'string' || !header) return;
    headers.set(messageId, header);
    if (headers.size > maxMessages) headers.delete(headers.keys().next().value as string);
  };

  app.addHook('onSend', async (request, reply, payload) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (reply.statusCode !== 200 || typeof payload !== 'string' || !target.startsWith('AmazonSQS.'))
      return payload;
    const body = (request.body ?? {}) as Json;
    const action = target.slice('AmazonSQS.'.length);
    if (action === 'SendMessage') {
      remember((JSON.parse(payload) as Json).MessageId, headerOf(body));
    } else if (action === 'SendMessageBatch') {
      const byId = new Map(((body.Entries ?? []) as Json[]).map((e) => [e.Id, headerOf(e)]));
      for (const ok of ((JSON.parse(payload) as Json).Successful ?? []) as Json[])
        remember(ok.MessageId, byId.get(ok.Id));
    } else if (action === 'ReceiveMessage') {
      const names = [
        ...((body.MessageSystemAttributeNames ?? []) as string[]),
        ...((body.AttributeNames ?? []) as string[]),
      ];
      if (!names.includes('AWSTraceHeader') && !names.includes('All')) return payload;
      const answer = JSON.parse(payload) as { Messages?: Json[] };
      let changed = false;
      for (const message of answer.Messages ?? []) {
        const header = headers.get(message.MessageId as string);
        if (!header) continue;
        message.Attributes = { ...((message.Attributes as Json | undefined) ?? {}), AWSTraceHeader: header };
        changed = true;
      }
      return changed ? JSON.stringify(answer) : payload;
    }
    return payload;
  });
  return {
    get size() {
      return headers.size;
    },
  };
}
