"""One problem found in the input, pinned to the file, row (or line) and column it came from.

Roster rows and org.yaml lines share this shape so the CLI can print every problem in one list,
`file:row: column: message`, which editors and terminals turn into clickable locations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Issue:
    """A problem in a roster cell or an org.yaml value.

    `row` is the 1-based row in a roster (the header is row 1) or the 1-based line in org.yaml;
    `column` is the header as written in the roster, or a path such as `groups[2].email`.
    """

    source: str
    row: int
    column: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.source}:{self.row}: {self.column}: {prefix}{self.message}"
