"""HTTP routes of the chat service."""

from fastapi import APIRouter

router = APIRouter()


@router.get("/messages/{room_id}")
async def list_messages(room_id: str, limit: int = 50):
    return {"room": room_id, "messages": [], "limit": limit}
