"""A SELECT answer as CSV or TSV, the tables that spreadsheets and data frames read whole,
holds up to EXPORT_LIMIT rows, far more than the page of RESULT_LIMIT that JSON and HTML
give: pandas.read_csv sees no header that would say an answer was cut."""

from __future__ import annotations

import html
import io
import re
from urllib.parse import parse_qs, urlencode

import pandas
import pytest
import requests
from helpers import SHORT_LIMITS, TIMEOUT

ROWS = "SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {n}"
PAGE, EXPORT = SHORT_LIMITS["RESULT_LIMIT"], SHORT_LIMITS["EXPORT_LIMIT"]


def ask(client, query: str, accept: str):
    return client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_a_table_holds_more_than_a_page(client, accept):
    response = ask(client, ROWS.format(n=PAGE * 5), accept)
    assert response.status_code == 200
    rows = response.get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + PAGE * 5  # the header, then every row
    assert "NAP-Graph-Truncated" not in response.headers
    assert response.headers["NAP-Graph-Result-Limit"] == str(EXPORT)


def test_json_keeps_the_page_limit(client):
    response = ask(client, ROWS.format(n=PAGE * 5), "application/sparql-results+json")
    assert len(response.json["results"]["bindings"]) == PAGE
    assert response.headers["NAP-Graph-Truncated"] == "true"
    assert response.headers["NAP-Graph-Result-Limit"] == str(PAGE)


def test_a_table_past_the_export_limit_is_cut_and_says_so(client):
    response = ask(client, ROWS.format(n=EXPORT * 2), "text/csv")
    rows = response.get_data(as_text=True).strip().splitlines()
    assert len(rows) == 1 + EXPORT
    assert response.headers["NAP-Graph-Truncated"] == "true"


def test_a_graph_answer_keeps_the_page_limit(client):
    response = ask(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert len(response.get_data(as_text=True).strip().splitlines()) == PAGE
    assert response.headers["NAP-Graph-Truncated"] == "true"


def test_the_results_page_links_the_whole_answer_as_csv(client):
    query = ROWS.format(n=PAGE * 2)
    page = ask(client, query, "text/html").get_data(as_text=True)
    assert "The answer was cut at 100 rows" in page
    href = html.unescape(re.search(r'<a class="export" href="([^"]+)"', page).group(1))
    path, _, given = href.partition("?")
    assert path == "/sparql" and parse_qs(given) == {"query": [query], "format": ["csv"]}
    assert "up to 1,000 rows" in page
    whole = client.get(href)
    assert whole.mimetype == "text/csv"
    assert len(whole.get_data(as_text=True).strip().splitlines()) == 1 + PAGE * 2


@pytest.mark.full
@pytest.mark.live
def test_pandas_reads_every_row_of_a_long_answer(full_server):
    """On all the data, with the server's own limits (RESULT_LIMIT 10,000): the months of
    every contribution by mission since 2015, some 100,000 rows, in one read."""
    where = (
        "?o <http://purl.org/linked-data/cube#dataSet> "
        "<https://w3id.org/nap-graph/id/dataset/contributions-by-mission> ; "
        "<https://w3id.org/nap-graph/def/wps#refMonth> ?month "
        'FILTER (STR(?month) >= "2015-01")'
    )
    count = requests.get(
        full_server.url + "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert int(count) > 10_000
    url = (
        full_server.url
        + "/sparql?"
        + urlencode({"query": f"SELECT ?o ?month WHERE {{ {where} }}", "format": "csv"})
    )
    answer = requests.get(url, timeout=TIMEOUT)
    assert answer.status_code == 200 and "NAP-Graph-Truncated" not in answer.headers
    frame = pandas.read_csv(io.StringIO(answer.text))
    assert len(frame) == int(count)
    assert list(frame.columns) == ["o", "month"]
