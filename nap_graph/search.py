"""The site's search: an SQLite FTS5 index of the countries, plans and focus areas.

The build writes the index into its folder (`write_index`); the server reads the one of the
build it serves (`search`). Every country of the reference table is in it, with a plan or
not, under all its names: the six UN languages, the ISO name, the other names of
reference/country_aliases.csv, and its ISO codes. Accents are folded (unicode61
remove_diacritics 2) and every word of a query may be the start of a word ("Nor" finds
Norway). A query that is exactly a code or a name of a country puts that country first
("UK" the United Kingdom, not Ukraine); the rest are ranked by bm25.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nap_graph.errors import IndexUnavailable
from nap_graph.graph import plan_label
from nap_graph.iris import Iris
from nap_graph.reconcile import Naps
from nap_graph.sources.countries import Alias, Country

INDEX_FILE = "search.sqlite"
FORMAT = "1"  # the layout of the index; the server refuses an index of another
KINDS = ("country", "plan", "focus-area")
MAX_QUERY = 200  # characters of a query read
MAX_WORDS = 12
MAX_LIMIT = 50

# The indexed columns, with their bm25 weights: a name counts more than a word of a text.
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE entries USING fts5(
    kind UNINDEXED, iri UNINDEXED, iso3 UNINDEXED, label UNINDEXED,
    names, codes, title, description, context,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
-- Each name and code of an entry, folded, for exact matches and to show which name matched.
CREATE TABLE names (entry INTEGER NOT NULL, name TEXT NOT NULL, folded TEXT NOT NULL);
CREATE INDEX names_folded ON names (folded);
"""
_WEIGHTS = "0, 0, 0, 0, 10.0, 10.0, 4.0, 1.0, 0.5"
_DESCRIPTION_COLUMN = 7


def fold(text: str) -> str:
    """Return text as it is compared: accents removed, case folded, words joined by spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", bare.casefold()))


@dataclass(frozen=True)
class Hit:
    """One result: what it is, its IRI, its name, and the name or words that matched."""

    kind: str
    iri: str
    iso3: str
    label: str
    matched: str | None  # the country's name that matched, where it is not its label
    context: str | None  # the plan of a focus area
    snippet: str | None  # words around the match in a description

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


# ------------------------------------------------------------------------------ building


def write_index(
    path: Path,
    countries: dict[str, Country],
    aliases: dict[str, tuple[Alias, ...]],
    naps: Naps,
    iris: Iris,
) -> None:
    """Write the search index of every country, plan and focus area to `path`."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.executescript(_SCHEMA)
        connection.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
        for iso3, country in sorted(countries.items()):
            names = [name for _, name in country.names]
            names += [country.iso_name_en] if country.iso_name_en else []
            names += [a.alias for a in aliases.get(iso3, ())]
            codes = [iso3] + ([country.iso2] if country.iso2 else [])
            entry = _add(
                connection,
                ("country", iris.country(iso3), iso3, country.name),
                names="\n".join(_unique(names)),
                codes=" ".join(codes),
            )
            connection.executemany(
                "INSERT INTO names VALUES (?, ?, ?)",
                [(entry, name, fold(name)) for name in _unique([*names, *codes])],
            )
        for plan in sorted(naps.plans.values(), key=lambda p: (p.iso3, p.key)):
            plan_iri = iris.plan(plan.iso3, plan.key)
            label = plan_label(plan, countries.get(plan.iso3))
            _add(connection, ("plan", plan_iri, plan.iso3, label), title=label)
            for area in plan.focus_areas:
                title = area.title or f"Focus area {area.position}"
                _add(
                    connection,
                    ("focus-area", iris.focus_area(plan.iso3, plan.key, area.position)),
                    plan.iso3,
                    title,
                    title=title,
                    description=area.description or "",
                    context=label,
                )
        connection.execute("INSERT INTO entries(entries) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()


def _add(connection, key: tuple, *rest, **columns) -> int:
    kind, iri, iso3, label = (*key, *rest)
    values = {c: columns.get(c, "") for c in ("names", "codes", "title", "description", "context")}
    cursor = connection.execute(
        "INSERT INTO entries (kind, iri, iso3, label, names, codes, title, description, context)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, iri, iso3, label, *values.values()),
    )
    return cursor.lastrowid


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# ------------------------------------------------------------------------------ searching


def open_index(path: Path) -> sqlite3.Connection:
    """Open an index read-only; the file of a served build never changes (immutable)."""
    if not path.is_file():
        raise IndexUnavailable(f"no search index in this build ({path.name})")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        found = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise IndexUnavailable(f"the search index cannot be read: {exc}") from exc
    if found is None or found[0] != FORMAT:
        connection.close()
        raise IndexUnavailable("the search index was written by another version")
    return connection


def search(path: Path, query: str, limit: int = 10) -> dict[str, list[Hit]]:
    """Return the best matches of a query, up to `limit` of each kind, best first."""
    limit = max(1, min(limit, MAX_LIMIT))
    words = fold(query[:MAX_QUERY]).split()[:MAX_WORDS]
    found: dict[str, list[Hit]] = {kind: [] for kind in KINDS}
    if not words:
        return found
    connection = open_index(path)
    try:
        names = _names(connection)
        exact = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT entry FROM names WHERE folded = ? ORDER BY entry",
                (" ".join(words),),
            )
        ]
        # Every word, as the start of a word: "cote d iv" finds Côte d'Ivoire.
        expression = " ".join(f'"{word}"*' for word in words)
        ranked = connection.execute(
            f"SELECT rowid, kind, bm25(entries, {_WEIGHTS}) AS score FROM entries "
            "WHERE entries MATCH ? ORDER BY score, rowid",
            (expression,),
        ).fetchall()
        order = exact + [rowid for rowid, _, _ in ranked if rowid not in exact]
        kinds = {rowid: kind for rowid, kind, _ in ranked}
        chosen: list[int] = []
        counts = dict.fromkeys(KINDS, 0)
        for rowid in order:
            kind = kinds.get(rowid) or "country"  # an exact match is a country's name or code
            if counts[kind] < limit:
                counts[kind] += 1
                chosen.append(rowid)
        for rowid in chosen:
            hit = _hit(connection, rowid, words, names.get(rowid, []))
            found[hit.kind].append(hit)
    finally:
        connection.close()
    return found


def _names(connection) -> dict[int, list[tuple[str, str]]]:
    names: dict[int, list[tuple[str, str]]] = {}
    for entry, name, folded in connection.execute("SELECT entry, name, folded FROM names"):
        names.setdefault(entry, []).append((name, folded))
    return names


def _hit(connection, rowid: int, words: list[str], names: list[tuple[str, str]]) -> Hit:
    kind, iri, iso3, label, context, description = connection.execute(
        "SELECT kind, iri, iso3, label, context, description FROM entries WHERE rowid = ?",
        (rowid,),
    ).fetchone()
    matched = None
    if kind == "country":
        matched = _matched_name(words, names)
        if matched is not None and fold(matched) == fold(label):
            matched = None
    snippet = None
    if description:
        expression = " ".join(f'"{word}"*' for word in words)
        row = connection.execute(
            f"SELECT snippet(entries, {_DESCRIPTION_COLUMN}, '', '', '…', 24) FROM entries "
            "WHERE entries MATCH ? AND rowid = ?",
            (expression, rowid),
        ).fetchone()
        snippet = row[0] if row else None
    return Hit(kind, iri, iso3, label, matched, context or None, snippet)


def _matched_name(words: list[str], names: list[tuple[str, str]]) -> str | None:
    """Return the first name in which every word of the query starts a word."""
    whole = " ".join(words)
    for name, folded in names:
        if folded == whole:
            return name
    for name, folded in names:
        tokens = folded.split()
        if all(any(t.startswith(w) for t in tokens) for w in words):
            return name
    return None
