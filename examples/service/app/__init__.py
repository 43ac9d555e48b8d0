"""Chat service application package."""
