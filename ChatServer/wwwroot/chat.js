// The chat page: history first, then the socket with since=<last id>, reconnecting with backoff so that nothing is
// missed and nothing is shown twice. Comments and names arrive HTML-escaped from the server and are inserted as such.
(() => {
  const list = document.getElementById('messages');
  const status = document.getElementById('status');
  const form = document.getElementById('composer');
  const nameInput = document.getElementById('name');
  const commentInput = document.getElementById('comment');
  nameInput.value = localStorage.getItem('chat-name') || '';
  let lastId = 0;
  let socket = null;
  let backoff = 500;

  function show(message) {
    if (message.id <= lastId) return;
    lastId = message.id;
    const item = document.createElement('li');
    const time = document.createElement('time');
    time.dateTime = message.timestamp;
    time.textContent = new Date(message.timestamp).toLocaleTimeString();
    const body = document.createElement('span');
    // The server escaped username and comment; this is the one place server HTML is inserted.
    body.innerHTML = `<b>${message.username}</b>: ${message.comment}`;
    item.append(time, body);
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function notice(text) {
    const item = document.createElement('li');
    item.className = 'error';
    item.textContent = text;
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function setStatus(text, cls) {
    status.textContent = text;
    status.className = 'status ' + cls;
  }

  async function loadHistory() {
    const response = await fetch('/chat-history');
    if (!response.ok) throw new Error('history: ' + response.status);
    for (const message of await response.json()) show(message);
  }

  function connect() {
    const params = new URLSearchParams({ since: String(lastId) });
    if (nameInput.value.trim()) params.set('name', nameInput.value.trim());
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/websocket?${params}`);
    socket.onopen = () => { backoff = 500; setStatus('online', 'online'); };
    socket.onmessage = event => {
      const message = JSON.parse(event.data);
      if (message.messageType === 'chatMessage') show(message);
      else if (message.messageType === 'error') notice('server: ' + message.error);
    };
    socket.onclose = () => {
      setStatus(`offline, reconnecting in ${Math.round(backoff / 1000)} s`, 'offline');
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    const comment = commentInput.value;
    if (!comment) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      notice('not sent: the connection is down, try again when it is back');
      return;
    }
    socket.send(JSON.stringify({ messageType: 'chatMessage', comment }));
    commentInput.value = '';
  });

  nameInput.addEventListener('change', () => {
    localStorage.setItem('chat-name', nameInput.value.trim());
    if (socket) socket.close();
  });

  loadHistory().catch(() => notice('could not load the history')).finally(connect);
})();
