"""docs/sandbox.md's coverage table is generated from the code and must match it."""

from pathlib import Path

from workspace_coach.sandbox.coverage import coverage_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def test_coverage_table_is_current():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- coverage:start -->\n", 1)[1].split("<!-- coverage:end -->", 1)[0]
    assert table == coverage_markdown(), (
        "docs/sandbox.md is stale: regenerate with python -m workspace_coach.sandbox.coverage")
