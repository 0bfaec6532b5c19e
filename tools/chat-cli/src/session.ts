import { ChatClientError, type ChatClient, type FinalFrame } from './client';

type UiLang = 'ja' | 'en';

const TEXT = {
  ja: {
    welcome: 'MangaAssist へようこそ。質問を入力してください (/help でコマンド一覧)',
    help: [
      'コマンド (ローカルで処理され、送信されません):',
      '  /help     このヘルプ',
      '  /clear    会話をリセットして新しく始める',
      '  /history  この会話の履歴を表示',
      '  /quit     終了 (/exit も可)',
    ],
    cleared: '会話をリセットしました。新しい会話を始めます。',
    nothingToClear: 'リセットする会話はありません (まだメッセージを送っていません)。',
    emptyHistory: '履歴はまだありません。メッセージを送ると会話が始まります。',
    unknown: (c: string) => `不明なコマンドです: ${c} (/help で一覧)`,
  },
  en: {
    welcome: 'Welcome to MangaAssist. Ask away (/help lists the commands)',
    help: [
      'Commands (handled here, never sent):',
      '  /help     this help',
      '  /clear    forget this conversation and start a new one',
      '  /history  show this conversation so far',
      '  /quit     leave (/exit works too)',
    ],
    cleared: 'Conversation cleared. Starting a new one.',
    nothingToClear: 'Nothing to clear yet (no message sent).',
    emptyHistory: 'No history yet: send a message to start the conversation.',
    unknown: (c: string) => `Unknown command: ${c} (/help lists them)`,
  },
};

export interface ChatSession {
  readonly welcome: string;
  /** One line typed by the user: a local command, or a message for the gateway. */
  handle(line: string): Promise<'quit' | 'command' | 'sent' | 'empty'>;
  readonly sessionId: string | undefined;
}

/**
 * The interactive loop's logic, apart from the terminal: commands start with `/` and are handled
 * locally (never sent to the model); anything else is a message. `lang` is sent only when the user
 * chose it (`--lang`); otherwise the gateway decides from the message itself.
 */
export function createChatSession(options: {
  client: ChatClient;
  write: (text: string) => void;
  uiLang: UiLang;
  lang?: UiLang;
}): ChatSession {
  const { client, write } = options;
  const t = TEXT[options.uiLang];
  let sessionId: string | undefined;

  const ask = async (message: string) => {
    try {
      const final: FinalFrame = await client.sendMessage(message, {
        sessionId,
        language: options.lang,
        onDelta: (text) => write(text),
        onRestart: () => write('\n[…]\n'),
      });
      sessionId = final.sessionId;
      const meta = [
        final.model.split('.').pop(),
        final.cached ? 'cached' : '',
        `${final.usage.inputTokens}→${final.usage.outputTokens} tokens`,
        `$${final.costUsd.toFixed(5)}`,
        final.path && final.path !== 'primary' ? final.path : '',
      ];
      write(`\n\x1b[2m(${meta.filter(Boolean).join(' · ')})\x1b[0m\n`);
    } catch (error) {
      if (error instanceof ChatClientError && error.frame.code === 'SESSION_NOT_FOUND') sessionId = undefined;
      write(
        `\n\x1b[33m${error instanceof ChatClientError ? error.frame.message : (error as Error).message}\x1b[0m\n`,
      );
    }
  };

  return {
    welcome: t.welcome,
    get sessionId() {
      return sessionId;
    },
    async handle(raw) {
      const line = raw.trim();
      if (!line) return 'empty';
      if (!line.startsWith('/')) {
        await ask(line);
        return 'sent';
      }
      const command = line.split(/\s+/, 1)[0].toLowerCase();
      switch (command) {
        case '/quit':
        case '/exit':
          return 'quit';
        case '/help':
          write(`${t.help.join('\n')}\n`);
          return 'command';
        case '/clear':
          if (!sessionId) {
            write(`${t.nothingToClear}\n`);
            return 'command';
          }
          await client.request('clearSession', { sessionId }).catch(() => undefined);
          sessionId = undefined;
          write(`${t.cleared}\n`);
          return 'command';
        case '/history': {
          if (!sessionId) {
            write(`${t.emptyHistory}\n`);
            return 'command';
          }
          const history = await client.request<{ turns: { role: string; content: string }[] }>('getHistory', {
            sessionId,
          });
          if (history.turns.length === 0) write(`${t.emptyHistory}\n`);
          for (const turn of history.turns) write(`${turn.role}: ${turn.content}\n`);
          return 'command';
        }
        default:
          write(`${t.unknown(command)}\n`);
          return 'command';
      }
    },
  };
}
