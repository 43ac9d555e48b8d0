"""Fixture export."""
PAYLOAD = "ÿþú"
