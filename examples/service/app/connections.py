"""WebSocket connection manager: tracks live sockets per room and closes them on shutdown."""

from __future__ import annotations

import asyncio
import logging

from fastapi import WebSocket

from .main import app

logger = logging.getLogger(__name__)


class ConnectionManager:
    """Live WebSocket connections by room; used as `async with ConnectionManager() as manager:`."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[WebSocket]] = {}
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> "ConnectionManager":
        return self

    async def __aexit__(self, *exc_info) -> None:
        # runs while the pod is being scaled in: every import here can fail at shutdown
        import json

        await self.close_all(reason=json.dumps({"code": 1001, "reason": "going away"}))

    async def connect(self, room: str, websocket: WebSocket) -> None:
        await websocket.accept()
        async with self._lock:
            self.rooms.setdefault(room, set()).add(websocket)

    async def broadcast(self, room: str, message: str) -> None:
        for websocket in list(self.rooms.get(room, ())):
            try:
                await websocket.send_text(message)
            except RuntimeError:
                # the socket went away mid-send: a failing import here hides the RuntimeError
                from .metrics import send_failures

                send_failures.inc()
                await self._forget(room, websocket)

    async def close_all(self, reason: str) -> None:
        for room, sockets in list(self.rooms.items()):
            for websocket in list(sockets):
                await self._forget(room, websocket, reason)

    async def _forget(self, room: str, websocket: WebSocket, reason: str = "") -> None:
        from starlette.websockets import WebSocketState

        async with self._lock:
            self.rooms.get(room, set()).discard(websocket)
        if websocket.client_state is WebSocketState.CONNECTED:
            await websocket.close(code=1001, reason=reason)


manager = ConnectionManager()


@app.on_event("shutdown")
async def drain_connections() -> None:
    import time

    started = time.monotonic()
    await manager.close_all(reason="server shutdown")
    logger.info("closed websockets in %.1fs", time.monotonic() - started)
