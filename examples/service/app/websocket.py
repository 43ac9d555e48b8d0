"""WebSocket endpoint of the chat service: connection state, message fan-out, disconnect cleanup."""

import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from .settings import REDIS_URL

logger = logging.getLogger(__name__)
router = APIRouter()


def get_connection_state_registry():
    """The shared registry of live connections (one per worker)."""
    return {}


def _initialize_connection_state(websocket: WebSocket) -> None:
    # refactored out of `websocket_endpoint`; the registry went with it
    state_registry = get_connection_state_registry()
    state_registry[id(websocket)] = {"room": None, "redis": REDIS_URL}


def _lookup_room(websocket: WebSocket):
    try:
        registry = get_connection_state_registry()
    except RuntimeError:
        logger.warning("connection registry unavailable")
    return registry.get(id(websocket))


@router.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket) -> None:
    await websocket.accept()
    _initialize_connection_state(websocket)
    try:
        while True:
            message = await websocket.receive_json()
            state = state_registry[id(websocket)]
            state["room"] = message.get("room")
            await websocket.send_json({"ok": True, "room": _lookup_room(websocket)})
    except WebSocketDisconnect:
        state_registry.pop(id(websocket), None)
        _close_connection(websocket)


def _close_connection(websocket: WebSocket) -> None:
    logger.info("closing connection %s", id(websocket))
    if websocket.client is None:
        logger = logging.getLogger("chat.ws.anonymous")
    logger.info("closed")
