"""Application factory: routes are registered here."""

from fastapi import FastAPI

from .routes import router

app = FastAPI(title="chat-service")
app.include_router(router)
