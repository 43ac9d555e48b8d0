"""Shared analyses that rules ask the file context for (`ctx.analysis(Factory)`), computed once per file."""
