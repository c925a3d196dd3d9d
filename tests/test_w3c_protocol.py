"""The W3C SPARQL 1.1 Protocol test suite, run against the real server over HTTP.

Every query and bad-query test must pass as its manifest says. The endpoint is read-only, so
every update test must get a refusal (a 4xx answer) where its manifest expects success.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from helpers import parse_jsonld
from rdflib import Graph, Namespace
from rdflib.collection import Collection

MANIFEST = Path(__file__).parent / "data" / "w3c-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"


def load_tests() -> list[tuple[str, list[dict]]]:
    graph = Graph().parse(MANIFEST, format="turtle")
    tests = []
    for entry in Collection(graph, next(graph.objects(None, MF.entries))):
        requests_ = []
        action = graph.value(entry, MF.action)
        for req in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(req, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName))] = str(
                        graph.value(header, HT.fieldValue)
                    )
            body = graph.value(req, HT.body)
            response = graph.value(req, HT.resp)
            requests_.append(
                {
                    "method": str(graph.value(req, HT.methodName)),
                    "path": str(graph.value(req, HT.absolutePath)),
                    "headers": headers,
                    "body": None if body is None else str(graph.value(body, CNT.chars)),
                    "encoding": None
                    if body is None
                    else str(graph.value(body, CNT.characterEncoding) or "UTF-8"),
                    "status": {
                        str(s)[len(HTS) : len(HTS) + 1]
                        for s in graph.objects(response, MF.expectedStatus)
                    },
                    "format": graph.value(response, MF.expectedFormat),
                    "boolean": graph.value(response, MF.expectedBoolean),
                }
            )
        tests.append((str(entry).rsplit("#", 1)[1], requests_))
    return tests


TESTS = load_tests()


def is_update(step: dict) -> bool:
    media = step["headers"].get("content-type", "")
    return (
        "sparql-update" in media
        or (step["body"] or "").startswith("update=")
        or "update=" in step["path"]
    )


def test_the_suite_has_its_34_tests():
    assert len(TESTS) == 34


@pytest.mark.live
@pytest.mark.parametrize(("name", "steps"), TESTS, ids=[name for name, _ in TESTS])
def test_protocol(w3c_server, name, steps):
    for step in steps:
        path = step["path"].replace("/sparql/", "/sparql", 1)
        body = (
            None
            if step["body"] is None
            else step["body"].encode("utf-16" if step["encoding"].upper() == "UTF-16" else "utf-8")
        )
        response = requests.request(
            step["method"],
            w3c_server.url + path,
            data=body,
            headers=step["headers"],
            allow_redirects=False,
            timeout=30,
        )
        status = str(response.status_code)[0]
        if name.startswith("update_"):
            if is_update(step):
                # A read-only endpoint refuses what a writable one would carry out.
                assert status == "4", (name, response.status_code, response.text)
                assert "read-only" in response.text
            # The test's later queries check the update's effects, which a refusal has not had.
            continue
        assert status in step["status"], (name, response.status_code, response.text)
        fmt = step["format"] and str(step["format"])
        if fmt == "boolean":
            answer = json.loads(response.text)["boolean"]
            if step["boolean"] is not None:
                assert answer is (str(step["boolean"]) == "true")
        elif fmt == "tabular":
            media = response.headers["Content-Type"].split(";")[0]
            assert media in (
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            )
            check_results(media, response.text)
        elif fmt == "RDF":
            media = response.headers["Content-Type"].split(";")[0]
            parse_format = {
                "text/turtle": "turtle",
                "application/rdf+xml": "xml",
                "application/n-triples": "nt",
                "application/ld+json": "json-ld",
            }[media]
            if parse_format == "json-ld":
                parse_jsonld(response.text)
            else:
                Graph().parse(data=response.text, format=parse_format)


def check_results(media: str, text: str) -> None:
    """Parse a SELECT answer in its format, and check it has the parts its format requires."""
    if media == "application/sparql-results+json":
        document = json.loads(text)
        assert isinstance(document["head"]["vars"], list)
        assert isinstance(document["results"]["bindings"], list)
    elif media == "application/sparql-results+xml":
        root = ElementTree.fromstring(text)
        namespace = "{http://www.w3.org/2005/sparql-results#}"
        assert root.tag == namespace + "sparql"
        assert root.find(namespace + "head") is not None
        assert root.find(namespace + "results") is not None
    else:
        delimiter = "," if media == "text/csv" else "\t"
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        assert rows and all(rows[0]), rows[:1]  # a header of variable names
        assert all(len(row) == len(rows[0]) for row in rows)


@pytest.mark.live
def test_update_refusal_is_an_error_of_the_documented_shape(w3c_server):
    response = requests.post(
        w3c_server.url + "/sparql",
        data=b"INSERT DATA { <a:b> <a:c> <a:d> }",
        headers={"Content-Type": "application/sparql-update"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "code": "QUERY_REJECTED",
        "status": 400,
        "error": "this endpoint is read-only: SPARQL updates are refused",
    }
