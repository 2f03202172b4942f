// A Bun.serve chat to PROTOCOL.md, the strongest peer that runs here (LoadTests --target bun). Bun's WebSocket server
// is uWebSockets: every socket subscribes to one topic and a message is published once to all of them, which encodes
// the frame once and corks the sends. Messages live in memory only. It keeps the operations contract: CHAT_LISTEN,
// the "listening on" line, exit on SIGTERM.
const listen = process.env.CHAT_LISTEN || "127.0.0.1:8080";
const colon = listen.lastIndexOf(":");
const hostname = listen.slice(0, colon).replace(/^\[|\]$/g, "");
const port = Number(listen.slice(colon + 1));
if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`error: CHAT_LISTEN must be ADDRESS:PORT, got '${listen}'`);
  process.exit(2);
}

const topic = "general";
const maxCommentChars = 4096;
const escapes = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escape = (text) => text.replace(/[&<>"']/g, (c) => escapes[c]);
let lastId = 0;
let lastGuest = 0;

function assignName(requested) {
  const name = (requested ?? "").trim();
  return name.length >= 1 && name.length <= 32 ? escape(name) : `User${++lastGuest}`;
}

function error(reason) {
  return JSON.stringify({ messageType: "error", error: reason });
}

let server;
try {
  server = Bun.serve({
    hostname,
    port,
    fetch(request, server) {
      const url = new URL(request.url);
      if (url.pathname === "/websocket") {
        if (server.upgrade(request, { data: { name: assignName(url.searchParams.get("name")) } })) return undefined;
        return new Response("expected a WebSocket upgrade", { status: 400 });
      }
      if (url.pathname === "/healthz") return new Response("ok");
      return new Response("not found", { status: 404 });
    },
    websocket: {
      maxPayloadLength: 64 * 1024,
      open(ws) {
        ws.subscribe(topic);
      },
      message(ws, message) {
        if (typeof message !== "string") {
          ws.close(1003, "binary messages are not accepted");
          return;
        }
        let parsed;
        try {
          parsed = JSON.parse(message);
        } catch {
          ws.send(error("invalid JSON"));
          return;
        }
        const comment = parsed?.comment;
        if (parsed?.messageType !== "chatMessage" || typeof comment !== "string" || comment.length < 1 || comment.length > maxCommentChars) {
          ws.send(error('expected {"messageType": "chatMessage", "comment": "1..4096 characters"}'));
          return;
        }
        server.publish(topic, JSON.stringify({
          messageType: "chatMessage",
          id: ++lastId,
          username: ws.data.name,
          comment: escape(comment),
          timestamp: new Date().toISOString(),
        }));
      },
    },
  });
} catch (e) {
  console.error(`error: cannot listen on ${listen}: ${e.message}`);
  process.exit(1);
}

console.log(`listening on http://${hostname}:${server.port}`);
process.on("SIGTERM", () => {
  server.stop(true);
  process.exit(0);
});
