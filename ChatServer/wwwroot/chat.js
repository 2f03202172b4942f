// The chat page: history first, then the socket with since=<last id>; on a drop it reconnects with backoff and
// since=<last id seen>, so that nothing is missed, and it drops any id it has shown, so that nothing shows twice.
// Username and comment arrive HTML-escaped from the server and are inserted as such (PROTOCOL.md); everything else
// (status, errors, names typed here) goes in with textContent only.
// Rooms: the room in view sits in the URL hash (#lobby), so a link opens it. One socket per page, for the room in view,
// with presence=1: its presence frames keep the online list and count. Unread counts for the other rooms come from
// GET /rooms: ids are dense per room, so a room's lastId minus the last id this browser saw there is exactly the
// number of messages not seen, with no socket per room.
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
  const joinForm = document.getElementById('join');
  const roomInput = document.getElementById('room');
  const roomList = document.getElementById('room-list');
  const people = document.getElementById('people');

  const nameKey = 'chat-name';
  const firstDelay = 500;
  const maxDelay = 10000;
  const roomsEvery = 10000;
  const seenKey = 'chat-seen';
  const runGap = 5 * 60 * 1000;

  let lastId = 0;
  let historyLoaded = false;
  let socket = null;
  let connectedName = '';
  let delay = firstDelay;
  let retryTimer = 0;
  let countdownTimer = 0;
  let roomsTimer = 0;
  let room = roomFromHash();
  let present = new Set();
  let lastDay = '';
  let lastSender = null;
  let lastAt = 0;
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

  function roomFromHash() {
    const name = decodeURIComponent(location.hash.replace(/^#/, '')).trim().toLowerCase();
    return /^[a-z0-9_-]{1,64}$/.test(name) ? name : 'general';
  }

  const seen = () => {
    try {
      return JSON.parse(localStorage.getItem(seenKey)) || {};
    } catch {
      return {};
    }
  };

  function markSeen(id) {
    const all = seen();
    if ((all[room] || 0) >= id) return;
    all[room] = id;
    localStorage.setItem(seenKey, JSON.stringify(all));
  }

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
      const response = await fetch(`/chat-history?room=${encodeURIComponent(room)}`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      for (const message of await response.json()) show(message);
      historyLoaded = true;
      if (lastId > 0) markSeen(lastId);
    } catch (error) {
      notice(`The history could not be loaded (${error.message}); showing new messages only.`);
    }
    scrollToEnd();
  }

  // Who is online comes from the presence frames of this room's socket (every node counts).
  function showPresence(message) {
    if (message.room !== room) return;
    for (const name of message.joined) present.add(name);
    for (const name of message.left) present.delete(name);
    online.hidden = false;
    online.textContent = `${message.online} online`;
    people.replaceChildren(...[...present].sort().map(name => {
      const item = document.createElement('li');
      // Names arrive HTML-escaped from the server, as in chat messages.
      item.innerHTML = name;
      return item;
    }));
  }

  async function refreshRooms() {
    clearTimeout(roomsTimer);
    try {
      const response = await fetch('/rooms', { cache: 'no-store' });
      if (response.ok) showRooms(await response.json());
    } catch {
      // The list stays as it was; the next refresh tries again.
    }
    roomsTimer = setTimeout(refreshRooms, roomsEvery);
  }

  function showRooms(rooms) {
    const marks = seen();
    if (!rooms.some(r => r.room === room)) rooms.push({ room, lastId: lastId, online: 0 });
    roomList.replaceChildren(...rooms.map(r => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = '#' + r.room;
      link.textContent = r.room;
      if (r.room === room) link.setAttribute('aria-current', 'page');
      const unread = r.room === room ? 0 : Math.max(0, r.lastId - (marks[r.room] || 0));
      const badge = document.createElement('span');
      badge.className = unread > 0 ? 'unread' : 'count';
      badge.textContent = unread > 0 ? String(unread) : `${r.online} online`;
      if (unread > 0) badge.title = `${unread} new`;
      link.append(badge);
      item.append(link);
      return item;
    }));
  }

  function switchRoom() {
    const next = roomFromHash();
    if (next === room && socket) return;
    room = next;
    lastId = 0;
    historyLoaded = false;
    lastDay = '';
    lastSender = null;
    pending = [];
    people.replaceChildren();
    list.replaceChildren();
    empty.hidden = false;
    document.title = `Chat · ${room}`;
    if (socket) {
      const old = socket;
      socket = null;
      old.close(1000);
    }
    loadHistory().finally(connect);
    refreshRooms();
  }

  function connect() {
    clearTimeout(retryTimer);
    clearInterval(countdownTimer);
    connectedName = nameInput.value.trim();
    // Each socket's first presence frame lists everyone; names from an earlier socket must not linger.
    present = new Set();
    const params = new URLSearchParams();
    // Without the history the first connection takes live messages only; afterwards since= closes any gap.
    if (historyLoaded || lastId > 0) params.set('since', String(lastId));
    if (connectedName) params.set('name', connectedName);
    params.set('room', room);
    params.set('presence', '1');
    setStatus('connecting…', 'connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const current = new WebSocket(`${scheme}://${location.host}/websocket?${params}`);
    socket = current;
    current.onopen = () => {
      delay = firstDelay;
      setStatus('connected', 'online');
      if (alertLine.dataset.kind === 'offline') clearAlert();
    };
    current.onmessage = event => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.messageType === 'chatMessage') {
        if (message.room !== room) return;
        confirm(message);
        show(message);
        markSeen(message.id);
      } else if (message.messageType === 'presence') showPresence(message);
      else if (message.messageType === 'error') serverError(String(message.error));
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

  joinForm.addEventListener('submit', event => {
    event.preventDefault();
    const name = roomInput.value.trim().toLowerCase();
    if (!/^[a-z0-9_-]{1,64}$/.test(name)) {
      alertLine.dataset.kind = 'room';
      showAlert('A room name is 1 to 64 letters, digits, - or _.');
      return;
    }
    roomInput.value = '';
    location.hash = name;
  });

  window.addEventListener('hashchange', switchRoom);
  jump.addEventListener('click', scrollToEnd);
  list.addEventListener('scroll', () => { if (nearBottom()) jump.hidden = true; });
  retry.addEventListener('click', reconnectNow);
  window.addEventListener('online', () => { if (!socket) reconnectNow(); });
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) return;
    unread = 0;
    document.title = `Chat · ${room}`;
  });

  document.title = `Chat · ${room}`;
  loadHistory().finally(connect);
  refreshRooms();
})();
