"""Slow and broken clients against the production front (`nap-graph serve`, granian).

Issue 12: under gunicorn's threads, 8 connections that sent their headers a byte a second held
every thread, and /health and every query waited as long as they lasted.
"""

from __future__ import annotations

import resource
import selectors
import socket
import threading
import time

import pytest
import requests
from helpers import serve_build

from server.cli import HEADER_READ_TIMEOUT_MS

pytestmark = pytest.mark.live

SLOW_CLIENTS = 500
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """The server as the README runs it: its default front, on the small build."""
    folder = tmp_path_factory.mktemp("slow-clients")
    _enough_file_descriptors(SLOW_CLIENTS + 200)  # the server inherits the limit too
    live = serve_build(built.settings.out_dir, folder)
    yield live
    live.stop()


def _enough_file_descriptors(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            pytest.skip(f"{needed} file descriptors needed, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


class SlowClients:
    """Connections that each send a request's headers one byte a second, and never finish
    them: all driven from one thread, with non-blocking sockets."""

    HEADERS = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 1000

    def __init__(self, port: int, count: int):
        self.selector = selectors.DefaultSelector()
        self.sent = {}  # socket -> bytes sent
        self.closed = {}  # socket -> seconds after opening when the server closed it
        for _ in range(count):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))  # EINPROGRESS: connected by the first send
            self.sent[sock] = 0
            self.selector.register(sock, selectors.EVENT_READ)
        self.opened = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drip, daemon=True)
        self._thread.start()

    def _drip(self) -> None:
        while not self._stop.wait(1.0):
            # Readable: the server answered (408, 431) or closed the connection; either way
            # the connection no longer holds anything.
            for key, _ in self.selector.select(timeout=0):
                self._close(key.fileobj)
            for sock, position in list(self.sent.items()):
                if sock in self.closed:
                    continue
                try:
                    self.sent[sock] += sock.send(self.HEADERS[position : position + 1])
                except (BlockingIOError, InterruptedError):
                    pass  # still connecting: next second
                except OSError:
                    self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        self.closed[sock] = time.monotonic() - self.opened
        self.selector.unregister(sock)
        sock.close()

    def open(self) -> int:
        """How many are open and have sent at least two bytes."""
        return sum(1 for sock, n in list(self.sent.items()) if n >= 2 and sock not in self.closed)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in self.sent:
            if sock not in self.closed:
                sock.close()
        self.selector.close()


def timed(call) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_slow_clients_do_not_hold_the_server(server):
    """500 connections sending their headers a byte a second: /health and a query still
    answer in under a second each, and the server drops the slow ones at its header timeout."""
    _enough_file_descriptors(SLOW_CLIENTS + 200)
    clients = SlowClients(server.port, SLOW_CLIENTS)
    try:
        deadline = time.monotonic() + 5
        while clients.open() < SLOW_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.2)
        assert clients.open() == SLOW_CLIENTS, len(clients.closed)
        timings = []
        for _ in range(5):
            health, seconds = timed(lambda: requests.get(server.url + "/health", timeout=5))
            assert health.status_code == 200 and health.json()["ok"] is True
            timings.append(("/health", seconds))
            ask, seconds = timed(
                lambda: requests.get(
                    server.url + "/sparql",
                    params={"query": ASK},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=5,
                )
            )
            assert ask.status_code == 200 and ask.json()["boolean"] is True
            timings.append(("ASK", seconds))
            time.sleep(0.2)
        assert clients.open() == SLOW_CLIENTS  # held open all along
        assert max(seconds for _, seconds in timings) < 1, timings

        # The front's header timeout closes every one of them, a little after it.
        limit = HEADER_READ_TIMEOUT_MS / 1000
        deadline = clients.opened + limit + 10
        while len(clients.closed) < SLOW_CLIENTS and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(clients.closed) == SLOW_CLIENTS
        assert min(clients.closed.values()) >= limit - 1
    finally:
        clients.stop()


def test_a_broken_chunked_body_gets_a_client_error(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"zz\r\n"  # not a chunk size
        )
        status_line = sock.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 4"), status_line


def test_a_long_request_line_is_refused_at_once(server):
    """A GET far longer than the front reads is answered 414 or 431, not left hanging."""
    response = requests.get(
        server.url + "/sparql", params={"query": ASK + " " * 100_000}, timeout=10
    )
    assert response.status_code in (414, 431)
    short = requests.get(server.url + "/sparql", params={"query": ASK + " " * 4_000}, timeout=10)
    assert short.status_code == 200  # a query a few kilobytes long still goes by GET
