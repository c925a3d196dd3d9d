"""The scan of a query's text (nap_graph/query_check.py): what it refuses, what it reads, and
how it bounds a stranger's query before a remote store sees it. No store, no server."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from helpers import escaped_service_queries

from nap_graph.errors import QueryRejected
from nap_graph.query_check import (
    inspect,
    refuse_custom_functions,
    with_limit,
    without_dataset_clauses,
)


@pytest.mark.parametrize(
    "query",
    [
        *escaped_service_queries(9),
        "ASK { ?s ?p ?o } # SERVICE",
        "SELECT * WHERE { ſervice <http://e/> { } }",  # upper() makes it SERVICE
        "SELECT * WHERE { \\u0053ERVICE <http://e/> { } }",  # a backslash outside any token
        "SELECT * WHERE { BIND('open AS ?x) SERVICE <http://e/> { } }",  # a string never closed
        "SELECT * WHERE { BIND('''open'''' AS ?x) SERVICE <http://e/> { } }",
    ],
)
def test_the_scan_refuses_whatever_could_hide_service(query):
    with pytest.raises(QueryRejected, match="SERVICE is not allowed|malformed"):
        inspect(query)


def test_what_only_looks_like_service_is_answered():
    for query in (
        'ASK { ?service ?p "SERVICE" FILTER(?service != <http://e/SERVICE>) }',
        "PREFIX ex: <http://e/> ASK { ?s ex:serviceOf ex:SERVICE }",
        'ASK { ?s ?p "x"@service }',
    ):
        assert inspect(query).form == "ASK"


def test_the_scan_reads_escapes_as_the_grammar_does():
    inspection = inspect(
        "PREFIX ex: <http://e/> SELECT * FROM ex:a\\#b FROM NAMED <http://e/\\u0041> "
        "WHERE { ?s ?p 'it\\'s # no comment' } # a comment"
    )
    assert inspection.form == "SELECT"
    assert inspection.from_graphs == ["http://e/a#b"]
    assert inspection.from_named_graphs == ["http://e/A"]


@pytest.mark.parametrize(
    "query",
    [
        # The old prefixed-name pattern backtracked over these: 300 KB held a thread 115 s.
        "SELECT * WHERE { " + "a." * 500_000 + "}",
        "SELECT * WHERE { ?s ?p " + "a.a-" * 250_000 + "}",
        "SELECT * WHERE { ?s ?p ex:" + "a." * 500_000 + "}",
        "SELECT * WHERE { ?s ?p '" + "\\'" * 500_000,  # an escape after every quote
        "SELECT * WHERE { ?s ?p <" + "<a" * 500_000,
        "SELECT * WHERE { ?s ?p '''" + "a''" * 330_000,
        "SELECT * WHERE { FILTER(" + "?a<?b)" * 160_000 + "}",
    ],
)
def test_the_scan_takes_linear_time(query):
    """A regression guard for quadratic blow-up: 1 MB would take minutes; it takes well
    under a second."""
    assert len(query) > 900_000
    started = time.perf_counter()
    try:
        inspect(query)
    except QueryRejected:
        pass
    assert time.perf_counter() - started < 5


# ------------------------------------------------------------------ before a remote store


@pytest.mark.parametrize(
    ("query", "sent"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11\n"),
        # A comment on the last line must not swallow the LIMIT.
        ("SELECT * { ?s ?p ?o } # all", "SELECT * { ?s ?p ?o } # all\nLIMIT 11\n"),
        ("SELECT * { ?s ?p ?o } LIMIT 5", "SELECT * { ?s ?p ?o } LIMIT 5"),
        ("SELECT * { ?s ?p ?o } LIMIT 500 OFFSET 2", "SELECT * { ?s ?p ?o } LIMIT 11 OFFSET 2"),
        # A subquery's LIMIT is its own; the closing VALUES clause comes after the LIMIT.
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } VALUES ?s { <a> }",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } \nLIMIT 11\nVALUES ?s { <a> }",
        ),
        (
            'SELECT ("}" AS ?x) { ?s <p:limit> ?o }',
            'SELECT ("}" AS ?x) { ?s <p:limit> ?o }\nLIMIT 11\n',
        ),
        # A CONSTRUCT's LIMIT counts solutions, not triples: left to the answer's cut.
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"),
        ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }"),
    ],
)
def test_a_select_asks_the_store_for_no_more_than_the_limit(query, sent):
    assert with_limit(query, 11) == sent
    ox.Store().query(sent, base_iri="http://example.org/")  # still SPARQL


def test_only_sparql_functions_and_xsd_casts_are_passed_on():
    refuse_custom_functions(
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        'SELECT (xsd:decimal("1") AS ?x) (STRLEN(?o) AS ?n) WHERE { ?s ?p ?o FILTER (REGEX(?o, "a")) }'
    )
    for query in (
        'PREFIX bif: <bif:> SELECT * { ?s ?p ?o FILTER (bif:http_get("http://example.org/")) }',
        "SELECT (<http://example.org/f>(1) AS ?x) {}",
        "BASE <http://example.org/> SELECT (<f>(1) AS ?x) {}",
    ):
        with pytest.raises(QueryRejected, match="is not allowed"):
            refuse_custom_functions(query)


def test_dataset_clauses_are_taken_out_of_the_text():
    query = (
        "PREFIX ex: <http://example.org/> SELECT * FROM <http://a/> FROM NAMED ex:b "
        'WHERE { ?s ex:from "FROM <x>" } # FROM <c>'
    )
    assert without_dataset_clauses(query) == (
        'PREFIX ex: <http://example.org/> SELECT *     WHERE { ?s ex:from "FROM <x>" } # FROM <c>'
    )
