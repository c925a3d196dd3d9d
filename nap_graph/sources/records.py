"""Reading source files: CSV rows with their line numbers, typed fields, and skip reports."""

from __future__ import annotations

import csv
import hashlib
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

    def add(self, origin: Origin, field_name: str | tuple[str, ...] | None, message: str) -> None:
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
    starts. The lines of the record being read are kept, to find the field a stray quote
    broke.
    """

    def __init__(self, handle):
        self.lines = iter(handle)
        self.count = 0
        self.start: int | None = None
        self.record: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.count += 1
        if self.start is None and line.strip():
            self.start = self.count
            self.record = []
        self.record.append(line)
        return line

    def take_start(self) -> int | None:
        start, self.start = self.start, None
        return start


# Rules of the CSV layer, named in the errors they raise. No file in data/ breaks them, and
# together they catch a stray double quote, which the csv module otherwise reads without
# complaint. A quote that opens a field runs the field on to the next quote, across commas
# and line ends: strict mode stops at the text after that quote (the next quote of a
# well-formed file opens a field, so text follows it) or at the end of the file, and where
# it does not, the joined row rarely has the header's number of fields. A quote inside an
# unquoted field is kept as a character: a value's quotes must pair up. A line break in a
# quoted value stays allowed: it is how CSV writes one.
QUOTE_PAIRS = (
    "a value holds its double quotes in pairs: a value with a quote in it is itself quoted "
    'and writes the quote twice ("")'
)
FIELD_COUNT = "every row has as many fields as the header"
ONCE = "a row is stated once in a file"


def _field_at_fault(text: str) -> int:
    """Return the index of the field where a record's quoting goes wrong (strict mode's rules).

    The csv module does not say which field it stopped in; this walks the record's text the
    same way: a field that opens with a quote closes at a lone quote, which the delimiter or
    the end of the line must follow.
    """
    index, i, at_start, quoted = 0, 0, True, False
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text.startswith('""', i):
                    i += 1
                elif i + 1 < len(text) and text[i + 1] not in ",\r\n":
                    return index  # text after the closing quote
                else:
                    quoted = False
        elif char == '"' and at_start:
            quoted = True
        elif char == ",":
            index += 1
            at_start = True
            i += 1
            continue
        elif char in "\r\n":
            break
        at_start = False
        i += 1
    return index  # the field whose quote the end of the file found still open


def read_csv(
    path: Path,
    data_dir: Path,
    errors: ErrorCollector,
    required_columns: list[str] | None = None,
    key: tuple[str, ...] = (),
) -> Iterator[Row]:
    """Yield the rows of a CSV file with their line numbers.

    Reads UTF-8 with or without a byte order mark and with LF or CRLF line ends. Reports,
    rather than yields, a row that breaks a rule of the CSV layer (above), a row that repeats
    an earlier one, and, where `key` names columns, a row with the same values in them as an
    earlier row.
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
        header: list[str] = []
        try:
            reader = csv.reader(lines, strict=True)
            header = next(reader, [])
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
            # Digests rather than the rows themselves: the largest files have 100,000 rows.
            seen: dict[bytes, int | None] = {}
            keys: dict[bytes, int | None] = {}
            positions = [header.index(c) for c in key]
            for values in reader:
                if not values:
                    continue  # a blank line, as DictReader skips it
                origin = Origin(relative, lines.take_start())
                if _broken(values, header, origin, errors):
                    continue
                digest = _digest([v.strip() for v in values])
                if digest in seen:
                    errors.add(origin, EVERY_FIELD, f"the same row as line {seen[digest]} ({ONCE})")
                    continue
                seen[digest] = origin.line
                if positions:
                    stated = [values[i].strip() for i in positions]
                    digest = _digest(stated)
                    if digest in keys and any(stated):
                        errors.add(
                            origin,
                            key,
                            f"the same {', '.join(key)} as line {keys[digest]} (a file has "
                            f"one row per {', '.join(key)})",
                        )
                        continue
                    keys[digest] = origin.line
                yield Row(dict(zip(header, values, strict=True)), origin, errors)
        except UnicodeDecodeError as exc:
            raise SourceErrors(
                [SourceError(relative, None, None, f"not UTF-8 text: {exc}")]
            ) from exc
        except csv.Error as exc:
            # The record that strict mode stopped in begins at lines.start (or, when the
            # record is the header, at line 1).
            start = lines.start or 1
            index = _field_at_fault("".join(lines.record))
            name = _column(header, index) if index < len(header) else None
            raise SourceErrors(
                [
                    SourceError(
                        relative,
                        start,
                        name,
                        f"a stray double quote: {exc} (the quoted field runs from line {start} "
                        f"to line {lines.count}; {QUOTE_PAIRS})",
                    )
                ]
            ) from exc


EVERY_FIELD = "*"


def _digest(values: list[str]) -> bytes:
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).digest()


def _broken(values: list[str], header: list[str], origin: Origin, errors: ErrorCollector) -> bool:
    """Report a row that breaks a rule of the CSV layer; return whether it did."""
    if len(values) != len(header):
        more = len(values) > len(header)
        errors.add(
            origin,
            None if more else _column(header, len(values)),
            f"{len(values) - len(header)} more field(s) than the header has ({FIELD_COUNT})"
            if more
            else f"missing: the row has {len(values)} of the header's {len(header)} fields "
            f"({FIELD_COUNT})",
        )
        return True
    for index, value in enumerate(values):
        if '"' in value and value.count('"') % 2:
            errors.add(
                origin,
                _column(header, index),
                f"a stray double quote in {value[:60]!r} ({QUOTE_PAIRS})",
            )
            return True
    return False


def _column(header: list[str], index: int) -> str:
    """Name a column by its header, or by its place where the header leaves it unnamed."""
    return header[index] or f"column {index + 1}"


def _relative(path: Path, data_dir: Path) -> str:
    try:
        return path.resolve().relative_to(data_dir.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()
