"""INF0xx meta rules: problems with the file itself and with suppressions. The engine emits their
findings; one module per rule (`syntax_error`, `unreadable_file`, `unused_noqa`), and
`compile_errors` for the errors Python raises only when compiling.

What the engine and the commands use is exported here: the meta rules are the one family the rest
of infralint imports directly.
"""

from .compile_errors import compile_time_error
from .syntax_error import judge_unparsable, newer_syntax_note, syntax_error_message

__all__ = ["compile_time_error", "judge_unparsable", "newer_syntax_note", "syntax_error_message"]
