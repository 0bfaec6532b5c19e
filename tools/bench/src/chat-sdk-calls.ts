// A chat request's two unavoidable SDK calls, as the gateway makes them: Converse (a system prompt
// about the size of the gateway's, one user message), then the conditional session PutItem.
// Used by the SDK floor (sdk-floor.ts) and sdk-gc.bench.ts, each with the clients it measures.
import { ConverseCommand, type BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newSessionItem } from './session-item';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
// About the size of the gateway's system prompt (role, language, grounding): the same serialisation work.
const SYSTEM = 'You are MangaAssist, the shopping assistant of a Japanese manga web store. '.repeat(9);
/** The i-th chat message every gateway bench sends (distinct, so no cache or dedup answers it). */
export const chatMessage = (i: number) => `おすすめの新刊マンガを教えて #${i}`;

export interface ChatSdkClients {
  bedrock: BedrockRuntimeClient;
  documentClient: DynamoDBDocumentClient;
}

export function chatSdkCalls(clients: ChatSdkClients, sessionsTable: string) {
  const converse = async (i: number): Promise<string> => {
    const out = await clients.bedrock.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: SYSTEM }],
        messages: [{ role: 'user', content: [{ text: chatMessage(i) }] }],
        inferenceConfig: { maxTokens: 1024, temperature: 0.7 },
      }),
    );
    return (out.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
  };
  const putItem = async (i: number, text: string): Promise<void> => {
    await clients.documentClient.send(
      new PutCommand({
        TableName: sessionsTable,
        Item: newSessionItem(chatMessage(i), text),
        ConditionExpression: 'attribute_not_exists(sessionId)',
      }),
    );
  };
  return { converse, putItem, pair: async (i: number) => putItem(i, await converse(i)) };
}
