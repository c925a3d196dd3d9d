"""Reading source files: CSV rows with their line numbers, typed fields, and skip reports."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nap_graph.errors import SourceError, SourceErrors

_INTEGER = re.compile(r"[+-]?[0-9]+")
_YEAR = re.compile(r"[0-9]{4}")
# Codes that IRIs are made of. A well-formed but unknown country code is left to the shapes,
# which report it as unknown; a malformed one would make an invalid IRI.
ISO3 = re.compile(r"[A-Z]{3}")
ISO3_TEXT = "a country code of three capital letters (ISO 3166-1 alpha-3)"
ACRONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
ACRONYM_TEXT = "a mission acronym of letters, digits and hyphens"


@dataclass(frozen=True)
class Origin:
    """Where a record comes from: a file relative to the data folder and a line (or item)."""

    file: str
    line: int | None = None
    item: int | None = None  # the index of an object in a JSON array

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        if self.item is not None:
            return f"{self.file}[{self.item}]"
        return self.file


@dataclass
class ImportReport:
    """What an import read, kept and skipped, and why: printed by the build and saved with it."""

    read: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)  # records usable as read
    published: Counter = field(
        default_factory=Counter
    )  # records (claims, observations) in the graph
    skipped: Counter = field(default_factory=Counter)  # (file, reason) -> rows
    examples: dict = field(default_factory=dict)  # (file, reason) -> first origin
    notes: Counter = field(default_factory=Counter)  # (file, note) -> rows, for quirks repaired

    def skip(self, origin: Origin, reason: str, n: int = 1) -> None:
        key = (origin.file, reason)
        self.skipped[key] += n
        self.examples.setdefault(key, str(origin))

    def note(self, origin: Origin, text: str, n: int = 1) -> None:
        key = (origin.file, text)
        self.notes[key] += n
        self.examples.setdefault(key, str(origin))

    def merge(self, other: ImportReport) -> None:
        self.read.update(other.read)
        self.kept.update(other.kept)
        self.published.update(other.published)
        self.skipped.update(other.skipped)
        self.notes.update(other.notes)
        for key, value in other.examples.items():
            self.examples.setdefault(key, value)

    def as_rows(self) -> list[dict]:
        """Return the report as sorted rows: file, kind, reason, rows, first example."""
        rows = []
        for kind, counter in (("skipped", self.skipped), ("noted", self.notes)):
            for (file, reason), n in counter.items():
                rows.append(
                    {
                        "file": file,
                        "kind": kind,
                        "reason": reason,
                        "rows": n,
                        "example": self.examples.get((file, reason), ""),
                    }
                )
        for file, n in self.read.items():
            rows.append({"file": file, "kind": "read", "reason": "", "rows": n, "example": ""})
        for file, n in self.kept.items():
            rows.append({"file": file, "kind": "usable", "reason": "", "rows": n, "example": ""})
        for file, n in self.published.items():
            rows.append({"file": file, "kind": "published", "reason": "", "rows": n, "example": ""})
        order = {"read": 0, "usable": 1, "published": 2, "noted": 3, "skipped": 4}
        return sorted(rows, key=lambda r: (r["file"], order[r["kind"]], r["reason"]))


class ErrorCollector:
    """Collect malformed-field errors so that one build reports all of them at once."""

    def __init__(self) -> None:
        self.errors: list[SourceError] = []

    def add(self, origin: Origin, field_name: str | None, message: str) -> None:
        self.errors.append(SourceError(origin.file, origin.line, field_name, message, origin.item))

    def raise_if_any(self) -> None:
        if self.errors:
            raise SourceErrors(self.errors)


class Row(dict):
    """A CSV row that knows its origin and parses its fields, reporting bad ones."""

    def __init__(self, values: dict, origin: Origin, errors: ErrorCollector):
        super().__init__(values)
        self.origin = origin
        self.errors = errors

    def text(self, name: str, required: bool = False) -> str | None:
        value = (self.get(name) or "").strip()
        if not value:
            if required:
                self.errors.add(self.origin, name, "a value is required")
            return None
        return value

    def integer(
        self,
        name: str,
        required: bool = False,
        minimum: int | None = None,
        missing: tuple[str, ...] = (),
    ) -> int | None:
        value = self.get(name)
        if value and value.isascii() and value.isdigit():  # the common case, fast
            number = int(value)
            if minimum is None or number >= minimum:
                return number
        value = self.text(name, required)
        if value is None or value in missing:
            return None
        if not _INTEGER.fullmatch(value):
            self.errors.add(self.origin, name, f"expected a whole number, got {value!r}")
            return None
        number = int(value)
        if minimum is not None and number < minimum:
            self.errors.add(
                self.origin, name, f"expected a number of at least {minimum}, got {number}"
            )
            return None
        return number

    def year(self, name: str, required: bool = False) -> int | None:
        value = self.text(name, required)
        if value is None:
            return None
        if not _YEAR.fullmatch(value):
            self.errors.add(self.origin, name, f"expected a year of four digits, got {value!r}")
            return None
        return int(value)

    def decimal(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
            self.errors.add(self.origin, name, f"expected a decimal number, got {value!r}")
            return None
        return value

    def date(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", value):
            self.errors.add(self.origin, name, f"expected a date as YYYY-MM-DD, got {value!r}")
            return None
        return value

    def partial_date(self, name: str, required: bool = False) -> str | None:
        """Return a date at the precision a source gives it: YYYY, YYYY-MM or YYYY-MM-DD."""
        value = self.text(name, required)
        if value is None:
            return None
        if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?", value):
            self.errors.add(
                self.origin, name, f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}"
            )
            return None
        return value

    def iri(self, name: str, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        # RFC 3987 excludes these characters from IRIs; Turtle parsers reject them.
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", value):
            self.errors.add(self.origin, name, f"expected an http(s) address, got {value!r}")
            return None
        return iri_safe(value)

    def code(
        self,
        name: str,
        pattern: re.Pattern,
        description: str,
        required: bool = True,
        value: str | None = None,
    ) -> str | None:
        """Return a code that IRIs are made of (a country code, a mission acronym), checked."""
        value = self.text(name, required) if value is None else value
        if value is None:
            return None
        if not pattern.fullmatch(value):
            self.errors.add(self.origin, name, f"expected {description}, got {value!r}")
            return None
        return value

    def choice(self, name: str, allowed, required: bool = False) -> str | None:
        value = self.text(name, required)
        if value is None:
            return None
        if value not in allowed:
            self.errors.add(
                self.origin, name, f"expected one of {', '.join(sorted(allowed))}, got {value!r}"
            )
            return None
        return value


# The non-ASCII characters that RFC 3987 allows in an IRI (ucschar, and iprivate in a query).
_UCSCHAR = [
    (0xA0, 0xD7FF),
    (0xE000, 0xF8FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFEF),
    *[(plane << 16, (plane << 16) + 0xFFFD) for plane in range(1, 17)],
]


def iri_safe(value: str) -> str:
    """Percent-encode, as UTF-8, the characters that may not appear in an IRI (RFC 3987 3.1).

    Some stored addresses carry such characters (U+FFFC, the object replacement character,
    where a page's text had an embedded object); the encoded address is the same URI.
    """
    if value.isascii():
        return value
    out = []
    for char in value:
        code = ord(char)
        if code < 0x80 or any(low <= code <= high for low, high in _UCSCHAR):
            out.append(char)
        else:
            out.append("".join(f"%{b:02X}" for b in char.encode()))
    return "".join(out)


class _LineTracker:
    """Feed a file's lines to the CSV reader and remember where each record starts.

    A record may span lines (a quoted field with line breaks), and blank lines between
    records are skipped; the reader's own line count tells where a record ends, not where it
    starts.
    """

    def __init__(self, handle):
        self.lines = iter(handle)
        self.count = 0
        self.start: int | None = None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        if self.start is None and line.strip():
            self.start = self.count
        return line

    def take_start(self) -> int | None:
        start, self.start = self.start, None
        return start


def read_csv(
    path: Path, data_dir: Path, errors: ErrorCollector, required_columns: list[str] | None = None
) -> Iterator[Row]:
    """Yield the rows of a CSV file with their line numbers.

    Reads UTF-8 with or without a byte order mark and with LF or CRLF line ends.
    """
    relative = _relative(path, data_dir)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceErrors(
            [SourceError(relative, None, None, f"cannot read: {exc.strerror}")]
        ) from exc
    with handle:
        lines = _LineTracker(handle)
        try:
            reader = csv.DictReader(lines)
            header = reader.fieldnames or []
            lines.take_start()  # the header's
            missing = [c for c in (required_columns or []) if c not in header]
            if missing:
                raise SourceErrors(
                    [
                        SourceError(
                            relative, 1, missing[0], f"missing column(s): {', '.join(missing)}"
                        )
                    ]
                )
            for values in reader:
                origin = Origin(relative, lines.take_start())
                if None in values:
                    errors.add(
                        origin, None, f"{len(values[None])} more field(s) than the header has"
                    )
                    continue
                yield Row(values, origin, errors)
        except UnicodeDecodeError as exc:
            raise SourceErrors(
                [SourceError(relative, None, None, f"not UTF-8 text: {exc}")]
            ) from exc
        except csv.Error as exc:
            raise SourceErrors([SourceError(relative, reader.line_num, None, str(exc))]) from exc


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return path.resolve().relative_to(data_dir.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()
