"""Application factory: routes are registered here."""

from fastapi import FastAPI

from . import chat_auth, health, probes, websocket
from .routes import router

app = FastAPI(title="chat-service")
app.include_router(router)
app.include_router(health.router)
app.include_router(probes.router, prefix="/health")
app.include_router(websocket.router, prefix="/chat")
app.include_router(chat_auth.router)
