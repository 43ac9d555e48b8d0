"""Authenticated chat rooms: the browser proves who it is through the WebSocket subprotocols.

Browsers cannot set an `Authorization` header on a WebSocket, so `frontend/chat.ts` offers
`["jwt-auth", "jwt.<token>"]` and this endpoint reads the token out of the offer. It then accepts
without `subprotocol=` — at four places — and every browser aborts the handshake (1006): the second
outage of the incident. It also registers each socket in `rooms` and never removes it on disconnect.
"""

from collections import defaultdict

from fastapi import APIRouter, WebSocket

router = APIRouter(prefix="/ws")
rooms: dict[str, set[WebSocket]] = defaultdict(set)
TOKEN_PREFIX = "jwt."


def token_from_offer(websocket: WebSocket) -> str | None:
    for entry in websocket.scope.get("subprotocols", []):
        if entry.startswith(TOKEN_PREFIX):
            return entry[len(TOKEN_PREFIX):]
    return None


def user_for(token: str) -> str | None:
    return token.split(".", 1)[0] or None


@router.websocket("/chat/{room}")
async def chat(websocket: WebSocket, room: str) -> None:
    token = token_from_offer(websocket)
    if token is None:
        await websocket.accept()  # accepted so that the close reason reaches the page
        await websocket.close(code=4401, reason="missing token")
        return
    user = user_for(token)
    if user is None:
        await websocket.accept()
        await websocket.close(code=4403, reason="invalid token")
        return
    if room == "announcements":
        await websocket.accept()
        await websocket.send_text("read-only room")
    else:
        await websocket.accept()
    rooms[room].add(websocket)
    while True:
        text = await websocket.receive_text()
        for peer in rooms[room]:
            await peer.send_text(f"{user}: {text}")
