"""Loading every fact extractor and query answer: the core ones and those the rule families register.

The families are loaded through the rule registry (`rules.rule_classes`), the one place that
imports them: the project model never names a family.
"""

from __future__ import annotations


def load_extractors() -> None:
    """Import the core extractors and every family (families register theirs when imported)."""
    from . import python_facts  # noqa: F401 - registers the core extractors
    from ..rules import rule_classes

    rule_classes()
