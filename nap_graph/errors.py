"""Exceptions of nap_graph, each named for its situation and carrying a stable code."""

from __future__ import annotations


class NapGraphError(Exception):
    """Base class of the errors that nap_graph reports to its users."""

    code = "NAP_GRAPH_ERROR"


class SourceError(NapGraphError):
    """A source file is malformed: names the file, the line and the field."""

    code = "SOURCE_MALFORMED"

    def __init__(
        self,
        file: str,
        line: int | None,
        field: str | tuple[str, ...] | None,
        message: str,
        item: int | None = None,
    ):
        self.file, self.line, self.field, self.message, self.item = file, line, field, message, item
        # A JSON array has no useful line: its records are named by their index instead.
        where = (
            f"{file}:{line}"
            if line is not None
            else f"{file}[{item}]"
            if item is not None
            else file
        )
        # A key names several fields; "*" names them all (a row that repeats another).
        if field == "*":
            what = "every field: "
        elif isinstance(field, tuple) and len(field) > 1:
            what = f"fields {', '.join(repr(f) for f in field)}: "
        elif isinstance(field, tuple):
            what = f"field {field[0]!r}: "
        else:
            what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{message}")


class SourceErrors(NapGraphError):
    """Several malformed records, reported together so that a curator fixes them in one go."""

    code = "SOURCE_MALFORMED"

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class DataInvalid(NapGraphError):
    """The built graph violates the shapes; carries the validation report."""

    code = "DATA_INVALID"

    def __init__(self, report):
        self.report = report
        super().__init__(report.text())


class UnsupportedShape(NapGraphError):
    """A shape uses a SHACL feature that the build's engine does not implement."""

    code = "UNSUPPORTED_SHAPE"


class UnknownResource(NapGraphError):
    """No resource with this IRI is in the graph."""

    code = "UNKNOWN_RESOURCE"


class QueryRejected(NapGraphError):
    """A query was refused: malformed, an update, or a request to fetch a URL."""

    code = "QUERY_REJECTED"


class NotBuilt(NapGraphError):
    """The graph has not been built yet in the output folder."""

    code = "NOT_BUILT"


class NotAcceptable(NapGraphError):
    """No format offered matches what the client accepts (HTTP 406)."""

    code = "NOT_ACCEPTABLE"


class NotWritable(NotAcceptable):
    """An answer that the format asked for cannot hold; another format can (406)."""


class QueryTimeout(NapGraphError):
    """A query ran past the time limit and was stopped."""

    code = "QUERY_TIMEOUT"


class StoreUnavailable(NapGraphError):
    """The store cannot answer: it is missing, down, or its workers are failing."""

    code = "STORE_UNAVAILABLE"


class StoreBusy(StoreUnavailable):
    """Every query worker is busy: the client may try again shortly (503, Retry-After)."""

    code = "STORE_BUSY"


class LoadFailed(NapGraphError):
    """The load stopped; the store's live graphs are as they were before it."""

    code = "LOAD_FAILED"


class ReportRefused(NapGraphError):
    """A report that cannot be read as it is, or whose printed sums do not match its rows."""

    def __init__(self, file: str, page: int | None, line: int | None, message: str):
        self.file, self.page, self.line = file, page, line
        where = file + (f", page {page}" if page else "") + (f", line {line}" if line else "")
        super().__init__(f"{where}: {message}")


class ImportFailed(NapGraphError):
    """The reports could not all be imported; nothing was written."""


class IndexUnavailable(NapGraphError):
    """The build has no search index this code can read."""

    code = "SEARCH_UNAVAILABLE"
