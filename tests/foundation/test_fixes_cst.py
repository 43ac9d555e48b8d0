"""The LibCST helpers the rule families build their fixes on."""

from __future__ import annotations

import ast

import pytest

from infralint.fixes.cst import FixNotApplicable, add_import, char_column, remove_statement, set_keyword, uncomment_lines
from infralint.fixes.edits import apply_edits, edits_between


def parses(text: str) -> str:
    ast.parse(text)
    return text


class TestAddImport:
    def test_joins_the_stdlib_group_in_sorted_order(self):
        text = '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport sys\n\nimport requests\n\nx = time.time()\n'
        assert parses(add_import(text, "time")) == (
            '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport sys\nimport time\n\nimport requests\n\nx = time.time()\n'
        )

    def test_sorts_first_and_takes_over_the_group_comment(self):
        text = "# standard library\nimport os\n\nx = json.dumps(os.sep)\n"
        assert add_import(text, "json") == "# standard library\nimport json\nimport os\n\nx = json.dumps(os.sep)\n"

    def test_stdlib_goes_before_third_party_only_block(self):
        assert add_import("import requests\n\nx = 1\n", "time") == "import time\n\nimport requests\n\nx = 1\n"

    def test_third_party_goes_after_stdlib(self):
        assert add_import("import os\n\nx = 1\n", "redis") == "import os\n\nimport redis\n\nx = 1\n"

    def test_two_blank_lines_before_a_top_level_def(self):
        assert add_import("def f():\n    return time.time()\n", "time") == "import time\n\n\ndef f():\n    return time.time()\n"

    def test_opens_a_block_after_the_docstring(self):
        assert add_import('"""d"""\nx = 1\n', "time") == '"""d"""\n\nimport time\n\nx = 1\n'

    def test_keeps_shebang_and_header_comments_on_top(self):
        assert add_import("#!/usr/bin/env python\n# header\nx = 1\n", "time") == "#!/usr/bin/env python\n# header\nimport time\n\nx = 1\n"

    def test_merges_into_an_existing_from_import(self):
        assert add_import("from os import path\nx = 1\n", "os", "sep") == "from os import path, sep\nx = 1\n"

    def test_merges_into_a_parenthesised_list_keeping_its_style(self):
        text = "from os import (\n    path,\n)\n"
        assert parses(add_import(text, "os", "sep")) == "from os import (\n    path,\n    sep,\n)\n"

    def test_is_a_no_op_when_already_imported(self):
        for text, args in [("import time\n", ("time",)), ("from os import path as p\n", ("os", "path", "p"))]:
            assert add_import(text, *args) == text

    def test_alias_is_kept(self):
        assert add_import("import os\n", "numpy", asname="np") == "import os\n\nimport numpy as np\n"

    def test_idempotent(self):
        once = add_import("import os\n\nx = 1\n", "time")
        assert add_import(once, "time") == once


class TestRemoveStatement:
    def test_leaves_pass_and_keeps_comments(self):
        text = "def f():\n    try:\n        pass\n    finally:\n        # why\n        import os  # note\n"
        assert parses(remove_statement(text, 6, 8)) == "def f():\n    try:\n        pass\n    finally:\n        # why\n        pass  # note\n"

    def test_removes_the_line_when_the_block_keeps_statements(self):
        assert remove_statement("def f():\n    import os\n    return os\n", 2, 4) == "def f():\n    return os\n"

    def test_removes_only_one_statement_of_a_semicolon_line(self):
        assert remove_statement("def f():\n    import os; x = 1\n", 2, 4) == "def f():\n    x = 1\n"

    def test_single_line_suite(self):
        assert parses(remove_statement("if x: import os\n", 1, 6)) == "if x: pass\n"

    def test_missing_statement_is_reported(self):
        with pytest.raises(FixNotApplicable):
            remove_statement("x = 1\n", 3, 0)


class TestSetKeyword:
    def test_adds_a_keyword(self):
        assert set_keyword('r = Redis(host="h")\n', 1, 4, "socket_timeout", "5.0") == 'r = Redis(host="h", socket_timeout=5.0)\n'

    def test_replaces_an_existing_keyword(self):
        assert set_keyword("r = Redis(socket_timeout=30)\n", 1, 4, "socket_timeout", "5") == "r = Redis(socket_timeout=5)\n"

    def test_multi_line_call_keeps_one_argument_per_line(self):
        text = 'r = Redis(\n    host="h",\n    port=1,\n)\n'
        assert set_keyword(text, 1, 4, "socket_timeout", "5.0") == 'r = Redis(\n    host="h",\n    port=1,\n    socket_timeout=5.0,\n)\n'

    def test_keyword_goes_before_double_star(self):
        assert parses(set_keyword("r = Redis(**kw)\n", 1, 4, "socket_timeout", "5")) == "r = Redis(socket_timeout=5, **kw)\n"

    def test_columns_are_ast_byte_offsets(self):
        text = 'é = 1; r = Redis()\n'
        col = ast.parse(text).body[1].value.col_offset
        assert char_column(text, 1, col) == col - 1
        assert set_keyword(text, 1, col, "socket_timeout", "5") == 'é = 1; r = Redis(socket_timeout=5)\n'


class TestUncomment:
    def test_keeps_indentation(self):
        text = "class T:\n    # @require_docker_services()\n    def test_x(self):\n        pass\n"
        assert parses(uncomment_lines(text, 2, 2)) == "class T:\n    @require_docker_services()\n    def test_x(self):\n        pass\n"

    def test_refuses_code_lines(self):
        with pytest.raises(FixNotApplicable):
            uncomment_lines("x = 1\n", 1, 1)


def test_edits_between_round_trips():
    old = "a = 1\nb = 2\nc = 3\n"
    new = "import os\na = 1\nc = 3\nd = 4\n"
    assert apply_edits(old, edits_between(old, new)) == new
