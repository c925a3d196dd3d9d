"""A linked-data run as a harvester makes it: hundreds of IRIs, 13 Accept headers each, GET and
HEAD, over HTTP against the real server. Each answer is judged by RFC 9110 as written here,
independently of server/negotiation.py."""

from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.live, pytest.mark.timeout(900)]

ID = "https://w3id.org/nap-graph/id/"
# A document's formats: a page, Turtle, N-Triples, JSON-LD, RDF/XML.
OFFERED = [
    "text/html",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
]
ACCEPTS = [
    None,
    "*/*",
    "text/html",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "text/html;q=0, */*;q=0.1",
    "text/turtle;q=0, text/html;q=0, */*;q=0.1",
    "application/ld+json;q=0.5, text/turtle;q=0.9, */*;q=0",
    "text/*;q=0.8, text/html;q=0",
    "application/*",
    "image/png, text/html;q=0",
]


def quality(accept: str | None, media_type: str) -> float:
    """The quality Accept gives a media type: that of its most specific matching range."""
    if accept is None:
        return 1.0
    kind, _, sub = media_type.partition("/")
    best, found = -1, 0.0
    for item in accept.split(","):
        parts = [p.strip() for p in item.split(";")]
        range_, q = parts[0].lower(), 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                q = float(value)
        r_kind, _, r_sub = range_.partition("/")
        if range_ == media_type:
            specificity = 3
        elif r_kind == kind and r_sub == "*":
            specificity = 2
        elif range_ == "*/*":
            specificity = 1
        else:
            continue
        if specificity > best:
            best, found = specificity, q
    return found


def acceptable(accept: str | None) -> list[str]:
    return [t for t in OFFERED if quality(accept, t) > 0]


@pytest.fixture(scope="module")
def iris(live_server) -> list[str]:
    rows = requests.get(
        live_server.url + "/sparql",
        params={
            "query": f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), "{ID}") }} '
            "ORDER BY ?s LIMIT 500"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    ).json()["results"]["bindings"]
    return [row["s"]["value"] for row in rows]


def _check(session, url: str, accept: str | None) -> list[str]:
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:
        headers["Accept"] = None  # requests would send */*: send none
    problems = []
    answers = {}
    for method in ("GET", "HEAD"):
        first = session.request(method, url, headers=headers, allow_redirects=False, timeout=30)
        if first.status_code == 303:
            if "Accept" not in first.headers.get("Vary", ""):
                problems.append(f"{method} {url} [{accept}]: 303 without Vary: Accept")
            answer = session.request(
                method,
                requests.compat.urljoin(url, first.headers["Location"]),
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )
        else:
            answer = first
        answers[method] = answer
        wanted = acceptable(accept)
        if answer.status_code == 406:
            if wanted:
                problems.append(f"{method} {url} [{accept}]: 406, though {wanted} are acceptable")
            continue
        if answer.status_code != 200:
            problems.append(f"{method} {url} [{accept}]: status {answer.status_code}")
            continue
        media_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
        if quality(accept, media_type) <= 0:
            problems.append(f"{method} {url} [{accept}]: {media_type}, which Accept refuses")
        if method == "HEAD" and answer.content:
            problems.append(f"HEAD {url} [{accept}]: a body")
    get, head = answers["GET"], answers["HEAD"]
    if get.status_code != head.status_code or get.headers.get("Content-Type") != head.headers.get(
        "Content-Type"
    ):
        problems.append(f"{url} [{accept}]: HEAD differs from GET")
    return problems


def test_every_iri_answers_every_accept_header_as_rfc_9110_says(live_server, iris):
    assert len(iris) >= 100, len(iris)  # the small build: every thing it names, up to 500
    session = requests.Session()
    problems = []
    for iri in iris:
        url = live_server.url + "/id/" + iri[len(ID) :]
        for accept in ACCEPTS:
            problems += _check(session, url, accept)
    assert not problems, f"{len(problems)} problems, the first: " + "\n".join(problems[:10])


@pytest.mark.parametrize(
    "path", ["/sparql", "/", "/download/", "/graph/naps", "/def/wps", "/void", "/releases/"]
)
@pytest.mark.parametrize(
    "accept",
    ["text/html;q=0, */*;q=0.1", "application/sparql-results+json;q=0, */*;q=0.1", "image/png"],
)
def test_no_other_address_gives_what_accept_refuses(live_server, path, accept):
    for method in ("GET", "HEAD"):
        answer = requests.request(
            method, live_server.url + path, headers={"Accept": accept}, timeout=30
        )
        media_type = answer.headers.get("Content-Type", "").split(";")[0].strip()
        if answer.status_code == 200:
            assert quality(accept, media_type) > 0, (method, path, accept, media_type)
        else:
            assert answer.status_code == 406, (method, path, accept, answer.status_code)
