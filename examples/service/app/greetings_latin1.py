# -*- coding: latin-1 -*-
"""Greeting texts exported from the legacy CMS."""
GREETING = "Grüß Gott"
