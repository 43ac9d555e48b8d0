"""Shared analyses that rules ask the file context for (`ctx.analysis(Factory)`), computed once per file.

Only analyses that two or more parts of infralint use live here; each family's own analyses
live in its package under `rules/`.
"""
