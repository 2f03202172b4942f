// The chat page: history first, then the socket with since=<last id>; on a drop it reconnects with backoff and
// since=<last id seen>, so that nothing is missed, and it drops any id it has shown, so that nothing shows twice.
// Username and comment arrive HTML-escaped from the server and are inserted as such (PROTOCOL.md); everything else
// (status, errors, names typed here) goes in with textContent only.
'use strict';
(() => {
  const list = document.getElementById('messages');
  const empty = document.getElementById('empty');
  const jump = document.getElementById('jump');
  const status = document.getElementById('status');
  const retry = document.getElementById('retry');
  const online = document.getElementById('online');
  const form = document.getElementById('composer');
  const alertLine = document.getElementById('alert');
  const nameInput = document.getElementById('name');
  const commentInput = document.getElementById('comment');

  const nameKey = 'chat-name';
  const firstDelay = 500;
  const maxDelay = 10000;
  const countEvery = 10000;
  const runGap = 5 * 60 * 1000;

  let lastId = 0;
  let historyLoaded = false;
  let socket = null;
  let connectedName = '';
  let delay = firstDelay;
  let retryTimer = 0;
  let countdownTimer = 0;
  let countTimer = 0;
  let lastDay = '';
  let lastSender = null;
  let lastAt = 0;
  let countDue = Infinity;
  let lastSent = '';
  // Comments sent on this page whose echo has not come back yet, oldest first: the server answers every message it
  // stores by broadcasting it to its sender too, so a missing echo after a drop means "maybe lost".
  let pending = [];
  let putBack = '';
  let unread = 0;

  nameInput.value = localStorage.getItem(nameKey) || '';
  connectedName = nameInput.value.trim();

  // The server's escaping (PROTOCOL.md), used only to recognise our own messages, never to build HTML.
  const escapeLikeServer = text => text.replace(/[&<>"']/g, c =>
    ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

  const hueOf = text => {
    let hash = 0;
    for (const c of text) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
    return hash % 360;
  };

  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 80;

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
    jump.hidden = true;
  }

  function append(item, stick) {
    if (!item.classList.contains('message')) lastSender = null;
    list.append(item);
    empty.hidden = true;
    if (stick) scrollToEnd();
    else jump.hidden = false;
  }

  function dayLabel(when) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (when.toDateString() === today.toDateString()) return 'Today';
    if (when.toDateString() === yesterday.toDateString()) return 'Yesterday';
    return when.toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  }

  function show(message) {
    if (typeof message.id !== 'number' || message.id <= lastId) return;
    lastId = message.id;
    const stick = nearBottom();
    const when = new Date(message.timestamp);
    if (when.toDateString() !== lastDay) {
      lastDay = when.toDateString();
      const day = document.createElement('li');
      day.className = 'day';
      day.textContent = dayLabel(when);
      append(day, stick);
    }

    const item = document.createElement('li');
    item.className = 'message';
    item.dataset.id = String(message.id);
    const mine = connectedName !== '' && message.username === escapeLikeServer(connectedName);
    if (mine) item.classList.add('mine');
    if (message.username === lastSender && when.getTime() - lastAt < runGap) item.classList.add('run');

    const body = document.createElement('span');
    body.className = 'body';
    // The one place server HTML is inserted: username and comment were escaped by the server.
    body.innerHTML = `<b>${message.username}</b>: ${message.comment}`;

    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.setAttribute('aria-hidden', 'true');
    const shownName = body.firstElementChild ? body.firstElementChild.textContent.trim() : '';
    avatar.textContent = (Array.from(shownName)[0] || '?').toUpperCase();
    avatar.style.setProperty('--hue', String(hueOf(message.username)));

    const time = document.createElement('time');
    time.dateTime = message.timestamp;
    time.textContent = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    time.title = when.toLocaleString();

    item.append(avatar, body, time);
    append(item, stick || mine);
    lastSender = message.username;
    lastAt = when.getTime();
    if (document.hidden) {
      unread++;
      document.title = `(${unread}) Chat`;
    }
  }

  function notice(text) {
    const item = document.createElement('li');
    item.className = 'notice';
    item.textContent = text;
    append(item, nearBottom());
  }

  function showAlert(text) {
    alertLine.textContent = text;
    alertLine.hidden = false;
  }

  function clearAlert() {
    alertLine.hidden = true;
    alertLine.textContent = '';
    delete alertLine.dataset.kind;
  }

  function setStatus(text, state) {
    status.textContent = text;
    status.className = 'status ' + state;
    retry.hidden = state !== 'offline';
  }

  async function loadHistory() {
    try {
      const response = await fetch('/chat-history', { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      for (const message of await response.json()) show(message);
      historyLoaded = true;
    } catch (error) {
      notice(`The history could not be loaded (${error.message}); showing new messages only.`);
    }
    scrollToEnd();
  }

  // The server offers no presence list; its /metrics gauge of live WebSocket clients is the count we show.
  async function refreshCount() {
    clearTimeout(countTimer);
    countDue = Infinity;
    try {
      const response = await fetch('/metrics', { cache: 'no-store' });
      const match = response.ok && /^chat_websocket_live(?:\{[^}]*\})? (\d+)/m.exec(await response.text());
      online.hidden = !match;
      if (match) online.textContent = `${match[1]} online`;
    } catch {
      online.hidden = true;
    }
    if (socket && socket.readyState === WebSocket.OPEN) countSoon(countEvery);
  }

  // At most one count is due at a time; asking for an earlier one moves it forward.
  function countSoon(wait) {
    if (countDue <= Date.now() + wait) return;
    clearTimeout(countTimer);
    countDue = Date.now() + wait;
    countTimer = setTimeout(refreshCount, wait);
  }

  function connect() {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    connectedName = nameInput.value.trim();
    const params = new URLSearchParams();
    // Without the history the first connection takes live messages only; afterwards since= closes any gap.
    if (historyLoaded || lastId > 0) params.set('since', String(lastId));
    if (connectedName) params.set('name', connectedName);
    setStatus('connecting…', 'connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const current = new WebSocket(`${scheme}://${location.host}/websocket?${params}`);
    socket = current;
    current.onopen = () => {
      delay = firstDelay;
      setStatus('connected', 'online');
      if (alertLine.dataset.kind === 'offline') clearAlert();
      countSoon(500);
    };
    current.onmessage = event => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.messageType === 'chatMessage') {
        confirm(message);
        show(message);
        // A new voice often means the count changed; the timer alone would lag behind.
        countSoon(1000);
      } else if (message.messageType === 'error') serverError(String(message.error));
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      unconfirmed();
      scheduleReconnect();
    };
  }

  function confirm(message) {
    // By comment alone: a name change reconnects, and the replay brings the echo under the old name.
    if (pending.length === 0 || message.comment !== escapeLikeServer(pending[0])) return;
    pending.shift();
    if (pending.length > 0 || alertLine.dataset.kind !== 'unconfirmed') return;
    // The replay after a reconnect shows it was stored after all: take back the warning and the text.
    clearAlert();
    if (commentInput.value === putBack) commentInput.value = '';
    putBack = '';
  }

  function unconfirmed() {
    if (pending.length === 0) return;
    alertLine.dataset.kind = 'unconfirmed';
    const what = pending.length === 1 ? 'your last message (it is back in the input)' : `your last ${pending.length} messages (the first is back in the input)`;
    showAlert(`The connection dropped before the server confirmed ${what}. If it does not appear once reconnected, send it again.`);
    if (!commentInput.value) {
      putBack = pending[0];
      commentInput.value = putBack;
    }
  }

  function serverError(text) {
    alertLine.dataset.kind = 'server';
    showAlert(`The server refused the message: ${text}`);
    // An error frame answers our own last send: give the text back rather than lose it.
    if (lastSent && pending[pending.length - 1] === lastSent) pending.pop();
    if (!commentInput.value && lastSent) commentInput.value = lastSent;
    lastSent = '';
  }

  function scheduleReconnect() {
    clearTimeout(countTimer);
    countDue = Infinity;
    online.hidden = true;
    // Jitter spreads out the reconnects of many pages after a restart.
    const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
    delay = Math.min(delay * 2, maxDelay);
    const due = Date.now() + wait;
    const tick = () => setStatus(`offline, reconnecting in ${Math.max(1, Math.ceil((due - Date.now()) / 1000))} s`, 'offline');
    tick();
    countdownTimer = setInterval(tick, 1000);
    retryTimer = setTimeout(connect, wait);
  }

  function reconnectNow() {
    if (socket) {
      const old = socket;
      socket = null;
      old.close(1000);
    }
    connect();
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    const comment = commentInput.value;
    if (!comment.trim()) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      alertLine.dataset.kind = 'offline';
      showAlert('Not sent: the connection is down. Your message is kept; press Enter again once the status says connected.');
      return;
    }
    // A send after the warning replaces what the warning was about.
    if (alertLine.dataset.kind === 'unconfirmed') pending = [];
    socket.send(JSON.stringify({ messageType: 'chatMessage', comment }));
    pending.push(comment);
    // Should the server ever alter a comment, its echo would never match: keep the list short.
    if (pending.length > 20) pending.shift();
    lastSent = comment;
    commentInput.value = '';
    clearAlert();
  });

  nameInput.addEventListener('change', () => {
    const name = nameInput.value.trim();
    nameInput.value = name;
    localStorage.setItem(nameKey, name);
    // The server fixes a connection's name at the handshake, so a new name needs a new connection.
    if (name !== connectedName) reconnectNow();
  });

  jump.addEventListener('click', scrollToEnd);
  list.addEventListener('scroll', () => { if (nearBottom()) jump.hidden = true; });
  retry.addEventListener('click', reconnectNow);
  window.addEventListener('online', () => { if (!socket) reconnectNow(); });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    unread = 0;
    document.title = 'Chat';
  });

  loadHistory().finally(connect);
})();
