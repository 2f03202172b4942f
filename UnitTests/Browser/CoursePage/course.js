// The course page's contract: GET /chat-history, a socket at /websocket, chatMessage out, escaped HTML in, rendered
// with innerHTML as <b>username</b>: comment; and the video call's offer/answer/candidate relay.
const socket = new WebSocket('ws://' + location.host + '/websocket');
const chat = document.getElementById('chat');
const signals = document.getElementById('signals');

function render(message) {
  const line = document.createElement('p');
  line.innerHTML = '<b>' + message.username + '</b>: ' + message.comment;
  chat.appendChild(line);
}

function note(text) {
  const item = document.createElement('li');
  item.textContent = text;
  signals.appendChild(item);
}

fetch('/chat-history').then(response => response.json()).then(messages => messages.forEach(render));

socket.onmessage = event => {
  const message = JSON.parse(event.data);
  if (message.messageType === 'chatMessage') {
    render(message);
  } else if (message.messageType === 'webRTC-offer') {
    note('offer ' + message.offer.sdp + ' from ' + message.username);
    socket.send(JSON.stringify({ messageType: 'webRTC-answer', answer: { type: 'answer', sdp: 'answer-to-' + message.offer.sdp } }));
  } else if (message.messageType === 'webRTC-answer') {
    note('answer ' + message.answer.sdp + ' from ' + message.username);
  } else if (message.messageType === 'webRTC-candidate') {
    note('candidate ' + message.candidate.candidate + ' from ' + message.username);
  }
};

document.getElementById('send').onclick = () => {
  socket.send(JSON.stringify({ messageType: 'chatMessage', comment: document.getElementById('comment').value }));
};

document.getElementById('call').onclick = () => {
  socket.send(JSON.stringify({ messageType: 'webRTC-offer', offer: { type: 'offer', sdp: 'offer-1' } }));
  socket.send(JSON.stringify({ messageType: 'webRTC-candidate', candidate: { candidate: 'candidate-1', sdpMid: '0' } }));
};
