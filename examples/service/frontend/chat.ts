// Browser client of app/chat_auth.py: the token travels in the subprotocol list.
const AUTH_PROTOCOL = "jwt-auth";

function socketBase(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;
}

export function openRoom(room: string, token: string, onText: (text: string) => void): WebSocket {
  const socket = new WebSocket(`${socketBase()}/ws/chat/${encodeURIComponent(room)}`, [AUTH_PROTOCOL, `jwt.${token}`]);
  socket.addEventListener("message", (event) => onText(String(event.data)));
  socket.addEventListener("close", (event) => console.warn("chat closed", event.code, event.reason));
  return socket;
}
