/**
 * The local-mode web chat page, kept as a string so that the esbuild bundle (dist/.../main.js)
 * serves it without any file beside it. Plain HTML + JS: gets a dev token, streams over /v1/ws,
 * restores the conversation of the tab (getHistory) on reload, checks the length in graphemes
 * before sending, and shows product cards for the catalog titles the answer was grounded on.
 */

/** A speech bubble on the store's pink: served at /favicon.svg (and /favicon.ico). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#d6336c"/><path d="M14 16h36a4 4 0 0 1 4 4v20a4 4 0 0 1-4 4H30l-10 8v-8h-6a4 4 0 0 1-4-4V20a4 4 0 0 1 4-4z" fill="#fff"/><circle cx="23" cy="30" r="3" fill="#d6336c"/><circle cx="32" cy="30" r="3" fill="#d6336c"/><circle cx="41" cy="30" r="3" fill="#d6336c"/></svg>`;

/** The same 4,000-grapheme limit as libs/unicode-validator (DEFAULT_MAX_GRAPHEMES), checked before sending. */
const MAX_GRAPHEMES = 4000;

export function chatPageHtml({ backend }: { backend: 'emulator' | 'bedrock' }): string {
  return PAGE.replace('__BACKEND__', backend).replace('__MAX__', String(MAX_GRAPHEMES));
}

const PAGE = /* html */ `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>MangaAssist</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>
  :root { --accent: #d6336c; --bg: #faf7f5; --bubble: #ffffff; --me: #ffe3ec; --muted: #6b6b6b; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif; background: var(--bg); display: flex; flex-direction: column; color: #222; }
  header { display: flex; align-items: center; gap: .5rem; padding: .6rem .8rem; background: var(--accent); color: #fff; flex-wrap: wrap; }
  header h1 { font-size: 1.05rem; margin: 0; flex: 1; min-width: 8rem; }
  header button { background: rgba(255,255,255,.2); color: #fff; border: 0; border-radius: .4rem; padding: .35rem .6rem; font-size: .85rem; cursor: pointer; }
  #badge { font-size: .7rem; font-weight: 600; background: #fff3bf; color: #5c3c00; border-radius: 1rem; padding: .15rem .55rem; }
  #badge[hidden] { display: none; }
  #status { font-size: .75rem; opacity: .9; }
  #log { flex: 1; overflow-y: auto; padding: .8rem; display: flex; flex-direction: column; gap: .6rem; }
  #welcome { align-self: stretch; background: #fff; border: 1px solid #f1d3dd; border-radius: .8rem; padding: .8rem; }
  #welcome p { margin: 0 0 .6rem; line-height: 1.5; }
  #examples { display: flex; flex-wrap: wrap; gap: .4rem; }
  .example { font: inherit; font-size: .85rem; background: #fff0f5; color: #8a1c47; border: 1px solid #f3bfd1; border-radius: 1rem; padding: .35rem .7rem; cursor: pointer; text-align: left; }
  .msg { max-width: 85%; padding: .55rem .75rem; border-radius: .8rem; white-space: pre-wrap; word-break: break-word; line-height: 1.45; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .user { align-self: flex-end; background: var(--me); }
  .assistant { align-self: flex-start; background: var(--bubble); }
  .meta { display: block; font-size: .7rem; color: #888; margin-top: .3rem; }
  .notice { align-self: center; background: #e7f1ff; color: #1c3d6e; font-size: .8rem; border-radius: 1rem; box-shadow: none; padding: .3rem .8rem; }
  .error { align-self: center; background: #fdecea; color: #8a1f11; border: 1px solid #f5c2bb; font-size: .85rem; }
  .cards { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; white-space: normal; }
  .card { display: block; min-width: 9rem; max-width: 14rem; flex: 1 1 9rem; border: 1px solid #eee; border-radius: .6rem; padding: .5rem .6rem; background: #fffafc; color: inherit; text-decoration: none; }
  .card .t { display: block; font-weight: 600; font-size: .9rem; }
  .card .v { display: block; font-size: .75rem; color: var(--muted); }
  .card .p { display: block; font-size: .9rem; color: var(--accent); margin-top: .2rem; }
  form { display: flex; flex-direction: column; gap: .3rem; padding: .6rem; padding-bottom: calc(.6rem + env(safe-area-inset-bottom)); background: #fff; border-top: 1px solid #eee; }
  .row { display: flex; gap: .5rem; }
  textarea { flex: 1; min-width: 0; resize: none; font: inherit; font-size: 16px; padding: .5rem; border: 1px solid #ccc; border-radius: .5rem; height: 2.6rem; max-height: 8rem; }
  textarea[aria-invalid="true"] { border-color: #c92a2a; outline-color: #c92a2a; }
  form button { background: var(--accent); color: #fff; border: 0; border-radius: .5rem; padding: 0 1rem; font-size: 1rem; cursor: pointer; }
  form button:disabled { opacity: .5; }
  .under { display: flex; justify-content: space-between; gap: .5rem; font-size: .75rem; min-height: 1rem; }
  #input-error { color: #c92a2a; }
  #count { color: var(--muted); margin-left: auto; white-space: nowrap; }
  #count.over { color: #c92a2a; font-weight: 600; }
  @media (min-width: 768px) {
    header { padding: .8rem max(1rem, calc((100% - 820px) / 2)); }
    header h1 { font-size: 1.2rem; }
    #log, form { width: 100%; max-width: 820px; margin: 0 auto; }
    #log { padding: 1.2rem 1rem; }
    .msg { max-width: 70%; }
    form { border: 1px solid #eee; border-radius: .8rem .8rem 0 0; }
  }
</style>
</head>
<body data-backend="__BACKEND__">
<header>
  <h1 id="title">MangaAssist</h1>
  <span id="badge" hidden></span>
  <span id="status"></span>
  <button id="lang" type="button"></button>
  <button id="clear" type="button"></button>
</header>
<main id="log" aria-live="polite">
  <section id="welcome"><p id="welcome-text"></p><div id="examples"></div></section>
</main>
<form id="form" novalidate>
  <div class="row">
    <textarea id="input" rows="1" aria-describedby="input-error"></textarea>
    <button id="send" type="submit"></button>
  </div>
  <div class="under"><span id="input-error" role="alert"></span><span id="count"></span></div>
</form>
<script>
(() => {
  const MAX = __MAX__;
  const T = {
    ja: {
      title: 'MangaAssist マンガ案内', placeholder: 'メッセージを入力…', send: '送信', clear: '新しい会話', other: 'EN',
      connecting: '接続中…', online: '接続済み', offline: '切断 — 再接続します',
      welcome: 'いらっしゃいませ！MangaAssist です。新刊、シリーズの巻数、あなたにぴったりの一冊まで、マンガのことなら何でも聞いてください。',
      examples: ['今週の新刊でおすすめは？', '『葬送のフリーレン』は何巻まで出ていますか？', 'ファンタジー好きにおすすめの完結作品は？'],
      cleared: '会話をリセットしました', expired: 'セッションの有効期限が切れました。新しい会話を始めます。', restored: '前回の会話を復元しました',
      tooLong: 'メッセージが長すぎます (最大' + MAX + '文字)', badge: 'ローカルエミュレーター', badgeTitle: '回答は開発用のBedrockエミュレーターによるもので、AIモデルではありません',
      volume: (n) => '第' + n + '巻', details: '詳細を見る',
    },
    en: {
      title: 'MangaAssist', placeholder: 'Type a message…', send: 'Send', clear: 'New chat', other: '日本語',
      connecting: 'Connecting…', online: 'Connected', offline: 'Disconnected — reconnecting',
      welcome: 'Welcome to MangaAssist! Ask about new releases, how many volumes a series has, or what to read next.',
      examples: ['What new manga do you recommend this week?', 'How many volumes of Frieren are out?', 'A finished fantasy series for a beginner?'],
      cleared: 'Conversation reset', expired: 'Your session expired. Starting a new conversation.', restored: 'Your conversation was restored',
      tooLong: 'The message is too long (max ' + MAX + ' characters).', badge: 'local emulator', badgeTitle: 'Answers come from the development Bedrock emulator, not an AI model',
      volume: (n) => 'Vol. ' + n, details: 'View',
    },
  };
  const chosen = localStorage.getItem('ma.lang');
  let lang = chosen || ((navigator.language || 'ja').startsWith('ja') ? 'ja' : 'en');
  let sessionId = sessionStorage.getItem('ma.session') || undefined;
  let ws, token, seq = 0, retry = 0, restoring = false;
  const pending = new Map();
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const input = $('input');
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes = (s) => { let n = 0; for (const _ of segmenter.segment(s)) n++; return n; };

  function applyLang() {
    const t = T[lang];
    document.documentElement.lang = lang;
    $('title').textContent = t.title; input.placeholder = t.placeholder; $('send').textContent = t.send;
    $('clear').textContent = t.clear; $('lang').textContent = t.other;
    $('welcome-text').textContent = t.welcome;
    const examples = $('examples'); examples.textContent = '';
    for (const q of t.examples) {
      const b = document.createElement('button'); b.type = 'button'; b.className = 'example'; b.textContent = q;
      b.addEventListener('click', () => { input.value = q; onInput(); $('form').requestSubmit(); });
      examples.appendChild(b);
    }
    const badge = $('badge');
    badge.hidden = document.body.dataset.backend !== 'emulator';
    badge.textContent = t.badge; badge.title = t.badgeTitle;
    if ($('status').dataset.state) status($('status').dataset.state);
    onInput();
  }
  function status(key) { $('status').textContent = T[lang][key]; $('status').dataset.state = key; }
  function bubble(cls, text) {
    const el = document.createElement('div'); el.className = 'msg ' + cls; el.textContent = text;
    log.appendChild(el); log.scrollTop = log.scrollHeight; return el;
  }
  function notice(text) { return bubble('notice', text); }
  function hideWelcome() { $('welcome').hidden = true; }
  function inputError(text) {
    $('input-error').textContent = text || '';
    if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }
  function onInput() {
    const n = graphemes(input.value);
    const count = $('count');
    count.textContent = n > MAX * 0.8 ? n.toLocaleString() + ' / ' + MAX.toLocaleString() : '';
    count.classList.toggle('over', n > MAX);
    if (n <= MAX && $('input-error').dataset.kind === 'length') { inputError(''); $('input-error').dataset.kind = ''; }
  }
  function cards(el, products) {
    if (!products || !products.length) return;
    const box = document.createElement('div'); box.className = 'cards';
    for (const p of products) {
      const a = document.createElement('a'); a.className = 'card'; a.href = p.url; a.target = '_blank'; a.rel = 'noopener';
      const t = document.createElement('span'); t.className = 't'; t.textContent = p.title; a.appendChild(t);
      if (p.volume != null) { const v = document.createElement('span'); v.className = 'v'; v.textContent = T[lang].volume(p.volume); a.appendChild(v); }
      if (p.price != null) { const pr = document.createElement('span'); pr.className = 'p'; pr.textContent = '¥' + Number(p.price).toLocaleString('ja-JP'); a.appendChild(pr); }
      box.appendChild(a);
    }
    el.appendChild(box); log.scrollTop = log.scrollHeight;
  }
  async function getToken() {
    let userId = localStorage.getItem('ma.user');
    if (!userId) { userId = 'web-' + Math.random().toString(36).slice(2, 10); localStorage.setItem('ma.user', userId); }
    const res = await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    if (!res.ok) throw new Error('token ' + res.status);
    return (await res.json()).token;
  }
  function send(frame) {
    // lang only when the user chose one (the toggle); otherwise the gateway decides from the message.
    const explicit = localStorage.getItem('ma.lang');
    ws.send(JSON.stringify(explicit ? Object.assign(frame, { lang: explicit }) : frame));
  }
  async function connect() {
    status('connecting');
    try { token = token || await getToken(); } catch (e) { setTimeout(connect, 2000); return; }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + '/v1/ws?access_token=' + encodeURIComponent(token));
    ws.onopen = () => {
      retry = 0; status('online');
      if (sessionId && !log.querySelector('.user')) { restoring = true; send({ id: 'h' + (++seq), action: 'getHistory', data: { sessionId } }); }
    };
    ws.onclose = () => { status('offline'); token = undefined; setTimeout(connect, Math.min(500 * 2 ** retry++, 8000)); };
    ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  }
  function onFrame(f) {
    const p = pending.get(f.id);
    if (f.type === 'start' && p) {
      // Accepted: only now is the message shown as sent and the input emptied.
      hideWelcome(); inputError('');
      bubble('user', p.text);
      if (input.value === p.text) { input.value = ''; onInput(); }
      p.el = bubble('assistant', '…'); p.el.dataset.state = 'streaming';
      if (f.sessionId) { sessionId = f.sessionId; sessionStorage.setItem('ma.session', sessionId); }
    }
    else if (f.type === 'delta' && p && p.el) { p.answer += f.text; p.el.textContent = p.answer; log.scrollTop = log.scrollHeight; }
    else if (f.type === 'restart' && p && p.el) { p.answer = ''; p.el.textContent = ''; }
    else if (f.type === 'final' && p) {
      p.el.textContent = f.text; p.el.dataset.state = 'done';
      const meta = document.createElement('span'); meta.className = 'meta';
      meta.textContent = [f.model && f.model.split('.').pop(), f.cached ? 'cache' : '', f.usage ? f.usage.inputTokens + '→' + f.usage.outputTokens + ' tok' : '', f.costUsd != null ? '$' + f.costUsd.toFixed(5) : ''].filter(Boolean).join(' · ');
      p.el.appendChild(meta); cards(p.el, f.products);
      pending.delete(f.id); $('send').disabled = false;
    }
    else if (f.type === 'history') {
      restoring = false;
      if (!f.turns || !f.turns.length) return;
      hideWelcome();
      for (const turn of f.turns) bubble(turn.role === 'user' ? 'user' : 'assistant', turn.content).dataset.state = 'done';
      notice(T[lang].restored);
    }
    else if (f.type === 'cleared') { notice(T[lang].cleared); }
    else if (f.type === 'error') {
      $('send').disabled = false;
      if (f.code === 'SESSION_NOT_FOUND') {
        sessionId = undefined; sessionStorage.removeItem('ma.session');
        if (p && p.el) p.el.remove();
        if (p) pending.delete(f.id);
        if (!restoring) notice(T[lang].expired);
        restoring = false;
        return;
      }
      if (p && !p.el) {
        // Rejected before it was accepted (too long, invalid...): the text stays in the input, the reason beside it.
        pending.delete(f.id); inputError(f.message || f.code); input.focus(); return;
      }
      if (p) { p.el.remove(); pending.delete(f.id); }
      bubble('error', f.message || f.code);
    }
  }
  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value;
    if (!text.trim() || !ws || ws.readyState !== 1 || $('send').disabled) return;
    if (graphemes(text) > MAX) { inputError(T[lang].tooLong); $('input-error').dataset.kind = 'length'; input.focus(); return; }
    inputError('');
    const id = 'm' + (++seq);
    pending.set(id, { text, el: null, answer: '' });
    send({ id, action: 'sendMessage', data: { message: text, sessionId } });
    $('send').disabled = true;
  });
  input.addEventListener('input', onInput);
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('form').requestSubmit(); } });
  $('lang').addEventListener('click', () => { lang = lang === 'ja' ? 'en' : 'ja'; localStorage.setItem('ma.lang', lang); applyLang(); });
  $('clear').addEventListener('click', () => {
    if (sessionId && ws && ws.readyState === 1) send({ id: 'c' + (++seq), action: 'clearSession', data: { sessionId } });
    sessionId = undefined; sessionStorage.removeItem('ma.session');
    for (const el of [...log.querySelectorAll('.msg')]) el.remove();
    $('welcome').hidden = false;
  });
  applyLang();
  connect();
})();
</script>
</body>
</html>
`;
