"""The example SPARQL queries offered by the query editor, read from `server/examples/*.rq`.

Each file begins with a header of exactly two comment lines and a blank line, then the query
with its PREFIX lines:

    # title: Plans in force in a given year
    # description: Which countries had a National Action Plan in force in 2021, and which plan?

    PREFIX wps: <https://w3id.org/nap-graph/def/wps#>
    SELECT ...

Files are listed by name: `01-...`, `02-...`, in the order a newcomer should read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).parent / "examples"
TITLE = "# title: "
DESCRIPTION = "# description: "


@dataclass(frozen=True)
class Example:
    """One example query: its file stem, title, description and text (with its PREFIX lines)."""

    name: str
    title: str
    description: str
    query: str


def example_queries(folder: Path = FOLDER) -> list[Example]:
    """Return the examples of `folder`, sorted by file name; ValueError names a malformed file."""
    return [read_example(path) for path in sorted(folder.glob("*.rq"))]


def read_example(path: Path) -> Example:
    """Read one `.rq` file; raise ValueError naming it when its header is not as described."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) < 4:
        raise ValueError(
            f"{path}: expected a title line, a description line, a blank line and a query"
        )
    title, description, blank = lines[0], lines[1], lines[2]
    if not title.startswith(TITLE) or not title[len(TITLE) :].strip():
        raise ValueError(f"{path}, line 1: expected '{TITLE}...' with a title")
    if not description.startswith(DESCRIPTION) or not description[len(DESCRIPTION) :].strip():
        raise ValueError(f"{path}, line 2: expected '{DESCRIPTION}...' with a description")
    if blank.strip():
        raise ValueError(f"{path}, line 3: expected a blank line after the header")
    query = "\n".join(lines[3:]).strip()
    if not query:
        raise ValueError(f"{path}: the query is missing after the header")
    return Example(
        name=path.stem,
        title=title[len(TITLE) :].strip(),
        description=description[len(DESCRIPTION) :].strip(),
        query=query + "\n",
    )
