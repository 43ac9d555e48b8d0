"""Readers for non-Python files (Terraform, nginx, YAML, launch command lines).

Each reader imports its parser inside the function that needs it, so a run over Python files only
never imports python-hcl2, crossplane or PyYAML. Readers return small plain dataclasses with the
1-based line of everything they keep; they never evaluate anything a file computes at deploy time
(a value they cannot read literally stays `Unresolved`, it is never guessed).
"""

from .values import Ref, Unresolved

__all__ = ["Ref", "Unresolved"]
