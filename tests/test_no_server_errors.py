"""Malformed paths and query strings get a 4xx with the usual error shape, never a 5xx.

Sent over a raw socket to the real server: an HTTP client would re-quote or refuse the very
bytes (a NUL, a bare "%", a raw 0xFF) that these requests are about.
"""

from __future__ import annotations

import json
import random
import socket

import pytest
from helpers import TIMEOUT

pytestmark = pytest.mark.live


def send(server, target: bytes, headers: bytes = b"Accept: application/json\r\n"):
    """Send one GET of target, exactly as given; return the status, headers and body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as connection:
        connection.sendall(
            b"GET "
            + target
            + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + headers
            + b"\r\n"
        )
        data = b""
        while chunk := connection.recv(1 << 16):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines if ": " in line)
    return int(status_line.split(" ", 2)[1]), {k.lower(): v for k, v in fields.items()}, body


# Before: the NUL bytes under /download/ were 500s (a ValueError from the file system), and a
# NUL or an undecodable byte in an IRI (/id/, /doc/, /graph/) a 400 about a malformed query.
MALFORMED = [
    (b"/download/%00", "UNKNOWN_RESOURCE"),
    (b"/download/nap-graph.ttl%00.txt", "UNKNOWN_RESOURCE"),
    (b"/download/nap-graph.ttl%00", "UNKNOWN_RESOURCE"),
    (b"/download/" + b"a" * 5000, "UNKNOWN_RESOURCE"),
    (b"/download/%2e%2e/pyproject.toml", "UNKNOWN_RESOURCE"),
    (b"/download/%ff", "UNKNOWN_RESOURCE"),
    (b"/id/country/%00", "UNKNOWN_RESOURCE"),
    (b"/id/country/NOR%00", "UNKNOWN_RESOURCE"),
    (b"/id/country/%ff", "UNKNOWN_RESOURCE"),
    (b"/id/country/%c3%28", "UNKNOWN_RESOURCE"),
    (b"/doc/country/NOR%00.ttl", "UNKNOWN_RESOURCE"),
    (b"/doc/country/%ff", "UNKNOWN_RESOURCE"),
    (b"/doc/%2e%2e/%2e%2e/pyproject.toml", "UNKNOWN_RESOURCE"),
    (b"/graph/%00", "UNKNOWN_RESOURCE"),
    (b"/graph/%ff", "UNKNOWN_RESOURCE"),
    (b"/def/wps/%00", "UNKNOWN_RESOURCE"),
    (b"/def/wps%00", "NOT_FOUND"),
    (b"/vendor/yasgui/yasgui.min.js%00", "NOT_FOUND"),
    (b"/vendor/%2e%2e/package.json", "NOT_FOUND"),
    (b"/static/%00", "NOT_FOUND"),
    (b"/static/%2e%2e/__init__.py", "NOT_FOUND"),
]


@pytest.mark.parametrize(
    ("target", "code"), MALFORMED, ids=[t.decode("latin-1")[:50] for t, _ in MALFORMED]
)
def test_a_malformed_path_is_404_with_the_error_shape(live_server, target, code):
    status, headers, body = send(live_server, target)
    assert status == 404, body
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)
    assert error == {"ok": False, "status": 404, "code": code, "error": error["error"]}
    assert error["error"]


ROUTES = [
    b"/download/",
    b"/download/nap-graph.ttl",
    b"/download/countries/",
    b"/id/",
    b"/id/country/",
    b"/id/country/NOR",
    b"/doc/",
    b"/doc/country/NOR",
    b"/doc/country/NOR.",
    b"/def/",
    b"/def/wps",
    b"/def/wps.",
    b"/def/shapes.",
    b"/def/wps/",
    b"/graph/",
    b"/vendor/",
    b"/vendor/yasgui/",
    b"/static/",
    b"/",
    b"/health",
    b"/void",
    b"/.well-known/void",
    b"/sparql",
]
PIECES = [
    b"%00",
    b"%",
    b"%z",
    b"%zz",
    b"%ff",
    b"%c3%28",  # a truncated UTF-8 sequence
    b"%ed%a0%80",  # a UTF-16 surrogate in UTF-8
    b"\xff",
    b"\xc3",
    b"%2e%2e",
    b"%2e%2e%2f",
    b"..%2f",
    b"%5c",
    b"%2f",
    b"//",
    b"%0d%0a",
    b"%u0000",
    b";",
    b"a" * 3000,
    b"x/" * 200,
    b".ttl",
    b".jsonld",
]
PARAMETERS = [b"query", b"default-graph-uri", b"named-graph-uri", b"_format", b"format", b""]


def fuzzed_targets(count: int) -> list[bytes]:
    """count request targets made of the routes, the pieces and parameters, the same each run."""
    rng = random.Random(12)
    targets = []
    for _ in range(count):
        # Without pieces, the route itself gets a malformed query string.
        pieces = rng.randint(0, 3)
        target = rng.choice(ROUTES) + b"".join(rng.choices(PIECES, k=pieces))
        if pieces == 0 or rng.random() < 0.4:
            value = b"".join(rng.choices(PIECES, k=rng.randint(1, 2)))
            target += b"?" + rng.choice(PARAMETERS) + rng.choice([b"=", b""]) + value
        targets.append(target)
    return targets


def test_no_malformed_request_gets_a_server_error(live_server):
    targets = fuzzed_targets(400)
    assert len(set(targets)) > 300
    failures = []
    for target in targets:
        status, _, body = send(live_server, target)
        if not 200 <= status < 500:  # a 5xx, or an answer that is not HTTP at all
            failures.append((status, target, body[:200]))
    assert not failures, failures[:10]
