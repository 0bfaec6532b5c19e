import { answer, formatAmount, moderate, sentiment, type Prompt } from './responder';

const user = (text: string, system = ''): Prompt => ({ system, messages: [{ role: 'user', text }] });

describe('deterministic answers by prompt kind', () => {
  it('gives the same answer to the same prompt, and may differ for another', () => {
    const p = user('Recommend a manga about cooking', 'You are a manga store assistant.');
    expect(answer(p)).toEqual(answer(p));
    expect(answer(p).kind).toBe('chat');
  });

  it('answers the seed sentiment prompt with exactly one word', () => {
    const prompt = (review: string) =>
      user(
        `Analyze the sentiment of this manga product review. Reply with exactly one word: positive, negative, or neutral.\n\nReview: ${review}`,
      );
    expect(answer(prompt('Absolutely loved it, the art is amazing!'))).toEqual({
      kind: 'sentiment',
      text: 'positive',
    });
    expect(answer(prompt('本が破れていて最悪でした')).text).toBe('negative');
    expect(answer(prompt('It arrived on Tuesday.')).text).toBe('neutral');
  });

  it('says mixed only when the instruction offers it', () => {
    expect(sentiment('great story but boring ending', true)).toBe('mixed');
    expect(sentiment('great story but boring ending', false)).toBe('neutral');
  });

  it('answers moderation prompts with the strict verdict JSON and flags abuse in ja/en as high or worse', () => {
    const prompt = (review: string) =>
      user(
        `You are a content moderator for a Japanese manga store. Analyze this customer review for inappropriate content.\n\nReview: ${review}\n\nRespond with a JSON object:\n{"safe": true/false, "severity": "none/low/medium/high/critical", "categories": [], "reason": "brief explanation"}`,
      );
    const clean = JSON.parse(answer(prompt('Lovely artwork, fast delivery.')).text);
    expect(clean).toEqual({ safe: true, severity: 'none', categories: [], reason: expect.any(String) });
    const en = JSON.parse(answer(prompt('The author is an idiot')).text);
    expect(en).toMatchObject({ safe: false, severity: 'high', categories: ['harassment'] });
    const ja = JSON.parse(answer(prompt('作者はバカ、死ね')).text);
    expect(ja.safe).toBe(false);
    expect(ja.severity).toBe('critical');
    expect(ja.categories).toEqual(expect.arrayContaining(['violence', 'harassment']));
    expect(Object.keys(ja).sort()).toEqual(['categories', 'reason', 'safe', 'severity']);
  });

  it('does not flag the moderation instruction itself', () => {
    expect(moderate('Analyze this for inappropriate content')).toMatchObject({ safe: true });
  });

  it('writes a product description that ends with a Tags: line', () => {
    const text = answer(
      user(
        "Generate a compelling product description for this manga item.\nTitle: Frieren\nAuthor: Kanehito Yamada\nGenre: Fantasy\nVolume: 3\nSynopsis: An elf mage outlives her party.\n\nWrite a 2-3 sentence description. Also provide 5 search tags as a comma-separated list on a new line starting with 'Tags: '.",
      ),
    ).text;
    const lines = text.split('\n');
    expect(lines.at(-1)).toMatch(/^Tags: [^,]+(, [^,]+){2,4}$/);
    expect(lines.at(-1)).toContain('fantasy');
    expect(text).toContain('Frieren');
  });

  it('repeats the amount and currency of an order confirmation (¥1,500, not ¥15)', () => {
    const text = answer(
      user(
        'Generate a friendly, professional order confirmation message for a Japanese manga store.\nOrder ID: ORD-42\nAmount: 1500 JPY\nItems:\n- One Piece 1 (x1)\n\nWrite in English.',
      ),
    ).text;
    expect(text).toContain('ORD-42');
    expect(text).toContain('¥1,500');
    expect(text).toContain('- One Piece 1 (x1)');
    expect(formatAmount('12.5 USD')).toBe('$12.50');
    expect(formatAmount('¥1,500')).toBe('¥1,500');
  });

  it('recognises synopsis and conversation summary prompts', () => {
    expect(answer(user('Generate a synopsis for manga: Frieren (葬送のフリーレン)')).kind).toBe('synopsis');
    const summary = answer({
      system: 'Summarize the conversation so far in two sentences.',
      messages: [
        { role: 'user', text: 'Do you have Berserk volume 1?' },
        { role: 'assistant', text: 'Yes, in stock.' },
        { role: 'user', text: 'Summarize please' },
      ],
    });
    expect(summary.kind).toBe('summary');
    expect(summary.text).toMatch(/^Summary: over 3 messages/);
  });

  it('answers chat in Japanese when the user wrote Japanese, in English otherwise', () => {
    const system = 'You are MangaAssist, a helpful manga store assistant.';
    expect(answer(user('進撃の巨人の在庫はありますか？', system)).text).toMatch(/[\u3040-\u30ff]{5}/);
    expect(answer(user('Is Attack on Titan in stock?', system)).text).not.toMatch(/[\u3040-\u30ff]/);
  });

  it('answers chat in the language the system prompt asks for, whatever the user wrote', () => {
    const system = (line: string) => `You are MangaAssist, a helpful manga store assistant.\n\n${line}`;
    expect(answer(user('Naruto', system('Answer in natural, polite Japanese (です・ます調).'))).text).toMatch(
      /[\u3040-\u30ff]{5}/,
    );
    expect(answer(user('進撃の巨人の在庫はありますか？', system('Answer in English.'))).text).not.toMatch(
      /[\u3040-\u30ff]/,
    );
  });

  it('obeys a forced reply marker anywhere in the prompt', () => {
    expect(answer(user('x [[emulator:reply=not json {]] y', 'moderator'))).toEqual({
      kind: 'forced',
      text: 'not json {',
    });
  });
});
