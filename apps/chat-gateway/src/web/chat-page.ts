/**
 * The local-mode web chat page, kept as a string so that the esbuild bundle (dist/.../main.js)
 * serves it without any file beside it. Plain HTML + JS: gets a dev token, streams over /v1/ws.
 */
export const CHAT_PAGE_HTML = /* html */ `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>MangaAssist</title>
<style>
  :root { --accent: #d6336c; --bg: #faf7f5; --bubble: #ffffff; --me: #ffe3ec; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", "Noto Sans CJK JP", sans-serif; background: var(--bg); display: flex; flex-direction: column; }
  header { display: flex; align-items: center; gap: .5rem; padding: .6rem .8rem; background: var(--accent); color: #fff; }
  header h1 { font-size: 1.05rem; margin: 0; flex: 1; }
  header button { background: rgba(255,255,255,.2); color: #fff; border: 0; border-radius: .4rem; padding: .35rem .6rem; font-size: .85rem; }
  #status { font-size: .75rem; opacity: .85; }
  #log { flex: 1; overflow-y: auto; padding: .8rem; display: flex; flex-direction: column; gap: .6rem; }
  .msg { max-width: 85%; padding: .55rem .75rem; border-radius: .8rem; white-space: pre-wrap; word-break: break-word; line-height: 1.45; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  .user { align-self: flex-end; background: var(--me); }
  .assistant { align-self: flex-start; background: var(--bubble); }
  .meta { display: block; font-size: .7rem; color: #888; margin-top: .3rem; }
  .error { align-self: center; background: #fff3cd; color: #664d03; font-size: .85rem; }
  form { display: flex; gap: .5rem; padding: .6rem; padding-bottom: calc(.6rem + env(safe-area-inset-bottom)); background: #fff; border-top: 1px solid #eee; }
  textarea { flex: 1; resize: none; font: inherit; font-size: 16px; padding: .5rem; border: 1px solid #ccc; border-radius: .5rem; height: 2.6rem; max-height: 8rem; }
  form button { background: var(--accent); color: #fff; border: 0; border-radius: .5rem; padding: 0 1rem; font-size: 1rem; }
  form button:disabled { opacity: .5; }
</style>
</head>
<body>
<header>
  <h1 id="title">MangaAssist</h1>
  <span id="status"></span>
  <button id="lang" type="button">EN</button>
  <button id="clear" type="button"></button>
</header>
<main id="log" aria-live="polite"></main>
<form id="form">
  <textarea id="input" rows="1" maxlength="8000"></textarea>
  <button id="send" type="submit"></button>
</form>
<script>
(() => {
  const T = {
    ja: { title: 'MangaAssist マンガ案内', placeholder: 'メッセージを入力…', send: '送信', clear: '新しい会話', connecting: '接続中…', online: '接続済み', offline: '切断 — 再接続します', cleared: '会話をリセットしました', other: 'EN', expired: 'セッションの有効期限が切れました。新しい会話を始めます。' },
    en: { title: 'MangaAssist', placeholder: 'Type a message…', send: 'Send', clear: 'New chat', connecting: 'Connecting…', online: 'Connected', offline: 'Disconnected — reconnecting', cleared: 'Conversation reset', other: '日本語', expired: 'Your session expired. Starting a new conversation.' },
  };
  let lang = localStorage.getItem('ma.lang') || ((navigator.language || 'ja').startsWith('ja') ? 'ja' : 'en');
  let sessionId = sessionStorage.getItem('ma.session') || undefined;
  let ws, token, seq = 0, retry = 0;
  const pending = new Map();
  const $ = (id) => document.getElementById(id);
  const log = $('log');

  function applyLang() {
    const t = T[lang];
    document.documentElement.lang = lang;
    $('title').textContent = t.title; $('input').placeholder = t.placeholder; $('send').textContent = t.send;
    $('clear').textContent = t.clear; $('lang').textContent = t.other;
  }
  function status(key) { $('status').textContent = T[lang][key]; $('status').dataset.state = key; }
  function bubble(cls, text) {
    const el = document.createElement('div'); el.className = 'msg ' + cls; el.textContent = text;
    log.appendChild(el); log.scrollTop = log.scrollHeight; return el;
  }
  async function getToken() {
    let userId = localStorage.getItem('ma.user');
    if (!userId) { userId = 'web-' + Math.random().toString(36).slice(2, 10); localStorage.setItem('ma.user', userId); }
    const res = await fetch('/dev/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    if (!res.ok) throw new Error('token ' + res.status);
    return (await res.json()).token;
  }
  async function connect() {
    status('connecting');
    try { token = token || await getToken(); } catch (e) { setTimeout(connect, 2000); return; }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = new WebSocket(proto + '//' + location.host + '/v1/ws?access_token=' + encodeURIComponent(token));
    ws.onopen = () => { retry = 0; status('online'); };
    ws.onclose = () => { status('offline'); token = undefined; setTimeout(connect, Math.min(500 * 2 ** retry++, 8000)); };
    ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  }
  function onFrame(f) {
    const p = pending.get(f.id);
    if (f.type === 'start' && p) { p.el.dataset.state = 'streaming'; if (f.sessionId) { sessionId = f.sessionId; sessionStorage.setItem('ma.session', sessionId); } }
    else if (f.type === 'delta' && p) { p.text += f.text; p.el.textContent = p.text; log.scrollTop = log.scrollHeight; }
    else if (f.type === 'restart' && p) { p.text = ''; p.el.textContent = ''; }
    else if (f.type === 'final' && p) {
      p.el.textContent = f.text; p.el.dataset.state = 'done';
      const meta = document.createElement('span'); meta.className = 'meta';
      meta.textContent = [f.model && f.model.split('.').pop(), f.cached ? 'cache' : '', f.usage ? f.usage.inputTokens + '→' + f.usage.outputTokens + ' tok' : '', f.costUsd != null ? '$' + f.costUsd.toFixed(5) : ''].filter(Boolean).join(' · ');
      p.el.appendChild(meta); pending.delete(f.id); $('send').disabled = false;
    }
    else if (f.type === 'cleared') { bubble('error', T[lang].cleared); }
    else if (f.type === 'error') {
      if (p) { p.el.remove(); pending.delete(f.id); }
      if (f.code === 'SESSION_NOT_FOUND') { sessionId = undefined; sessionStorage.removeItem('ma.session'); bubble('error', T[lang].expired); }
      else bubble('error', f.message || f.code);
      $('send').disabled = false;
    }
  }
  $('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('input').value.trim();
    if (!text || !ws || ws.readyState !== 1) return;
    const id = 'm' + (++seq);
    bubble('user', text);
    const el = bubble('assistant', '…'); el.dataset.state = 'waiting';
    pending.set(id, { el, text: '' });
    ws.send(JSON.stringify({ id, action: 'sendMessage', data: { message: text, sessionId, language: lang } }));
    $('input').value = ''; $('send').disabled = true;
  });
  $('input').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); $('form').requestSubmit(); } });
  $('lang').addEventListener('click', () => { lang = lang === 'ja' ? 'en' : 'ja'; localStorage.setItem('ma.lang', lang); applyLang(); });
  $('clear').addEventListener('click', () => {
    if (sessionId && ws && ws.readyState === 1) ws.send(JSON.stringify({ id: 'c' + (++seq), action: 'clearSession', data: { sessionId, language: lang } }));
    sessionId = undefined; sessionStorage.removeItem('ma.session'); log.textContent = '';
  });
  applyLang();
  connect();
})();
</script>
</body>
</html>
`;
