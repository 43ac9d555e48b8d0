"""The database engine: no statement or command timeout, so a stalled database holds every query."""

from sqlalchemy.ext.asyncio import create_async_engine

from .settings import DATABASE_URL

engine = create_async_engine(DATABASE_URL, pool_size=5)
