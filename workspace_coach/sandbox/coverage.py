"""Which Google API methods the sandbox serves: the coverage table in docs/sandbox.md.

    python -m workspace_coach.sandbox.coverage            # print the table
    python -m workspace_coach.sandbox.coverage --write    # refresh docs/sandbox.md

Generated from the discovery documents and the handler registry, so it cannot drift from the
code (a test compares it with the docs).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from workspace_coach.sandbox.discovery import SERVED_APIS, router
from workspace_coach.sandbox.resources import load_all

TITLES = {
    "directory": "Admin SDK Directory API (directory_v1)",
    "reports": "Admin SDK Reports API (reports_v1)",
    "drive": "Drive API (v3)",
    "groupssettings": "Groups Settings API (v1)",
    "sheets": "Sheets API (v4)",
    "datatransfer": "Admin SDK Data Transfer API (datatransfer_v1)",
    "gmail": "Gmail API (v1)",
}


def coverage_markdown() -> str:
    handlers = load_all()
    by_resource: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for method in router().methods:
        resource, _, verb = method.id.rpartition(".")
        if method.id in handlers:
            by_resource[method.api][resource].append(verb)
            totals[method.api][0] += 1
        totals[method.api][1] += 1
    lines = ["| API | resource | methods served |", "| --- | --- | --- |"]
    for api, _name, _version in SERVED_APIS:
        served, total = totals[api]
        resources = by_resource.get(api, {})
        if not resources:
            lines.append(f"| {TITLES[api]} | | none of {total} |")
            continue
        first = True
        for resource in sorted(resources):
            label = f"{TITLES[api]} ({served} of {total} methods)" if first else ""
            verbs = ", ".join(sorted(resources[resource]))
            lines.append(f"| {label} | `{resource}` | {verbs} |")
            first = False
    return "\n".join(lines) + "\n"


def write_docs(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    doc.write_text(head + START + coverage_markdown() + END + tail, encoding="utf-8")


START, END = "<!-- coverage:start -->\n", "<!-- coverage:end -->"

if __name__ == "__main__":
    if "--write" in sys.argv:
        write_docs(Path(__file__).resolve().parents[2] / "docs" / "sandbox.md")
    else:
        print(coverage_markdown(), end="")
