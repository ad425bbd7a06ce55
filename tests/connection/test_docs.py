"""docs/connect.md's scope table is generated from google/scopes.py and must match it."""

from pathlib import Path

from workspace_coach.google.scopes import scope_table_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "connect.md"


def test_scope_table_is_current():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- scopes:start -->\n", 1)[1].split("<!-- scopes:end -->", 1)[0]
    assert table == scope_table_markdown(), (
        "docs/connect.md is stale: regenerate with python -m workspace_coach.google.scopes")
