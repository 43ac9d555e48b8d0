"""Turning findings into text edits: applying them, writing files safely, and LibCST helpers."""
