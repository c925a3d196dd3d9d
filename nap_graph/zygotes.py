"""The zygotes a server's processes share: one per graph, however many processes serve it.

`nap-graph serve --workers N` runs N granian worker processes, each with a store per build it
serves (nap_graph/embedded.py). Were each store to start a zygote of its own, the graph would
be loaded N times at start and held N times in memory. Instead the server's main process,
which lives as long as the server, runs a `ZygoteHost`: a thread listening on a Unix socket,
which starts one zygote per graph at the first store's request, and gives every store of that
graph a connection of its own to it. Through it each store forks its own workers: its pools,
time limits and replacements stay its own, and so do its figures in /health.

- A graph is its files, by device and inode (with size and modification time): each worker's
  snapshot of a build is hard links to the build's files (server/serving.py), so the workers
  serving one build share one zygote, and a new build gets a new one.
- A zygote stops when the last connection to it closes (its last store closed, or the process
  that held it died), and the workers forked through a connection are killed when it closes.
  A zygote that dies is loaded again once, by the first store to ask: the others wait for it.
- The zygotes die with the server's main process (PR_SET_PDEATHSIG, from the host's thread
  that starts them, which lives as long as the process).
- The socket is in the abstract namespace (no file left behind), named from the process and a
  random token, and answers processes of the server's own user only (SO_PEERCRED).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from nap_graph.embedded import _Spawner, _Zygote, abstract_address
from nap_graph.errors import StoreUnavailable

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Hosted:
    zygote: _Zygote
    pidfd: int  # sent to each store, which tells by it that the zygote has ended
    name: str  # the files, for the log


class ZygoteHost:
    """The zygotes of one server, started and handed out from a thread of its main process."""

    def __init__(self, load_timeout: float = 1800):
        self._load_timeout = load_timeout
        self._spawner = _Spawner()
        self._zygotes: dict[tuple, _Hosted] = {}
        self._loading: dict[tuple, threading.Lock] = {}  # one load per graph at a time
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        name = f"@nap-graph-zygotes-{os.getpid()}-{secrets.token_hex(8)}"
        self._listener.bind(abstract_address(name))
        self._listener.listen(64)
        self.address = name
        # What this process holds of the host, which a process forked from it (a granian
        # worker) must not keep: a store's end of a connection held there too would keep its
        # zygote from seeing it close.
        self._held: set = {self._listener}
        os.register_at_fork(after_in_child=self._forget)
        threading.Thread(target=self._accept, name="nap-graph-zygote-host", daemon=True).start()

    def zygotes(self) -> int:
        """How many zygotes run."""
        with self._lock:
            return sum(hosted.zygote.alive() for hosted in self._zygotes.values())

    def close(self) -> None:
        """Stop listening, and stop the zygotes (their workers with them)."""
        self._listener.close()
        with self._lock:
            hosted, self._zygotes = list(self._zygotes.values()), {}
        for entry in hosted:
            entry.zygote.process.kill()
        self._spawner.stop()

    # ------------------------------------------------------------------ requests

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        self._held.add(connection)
        try:
            with connection:
                if not _same_user(connection):
                    return
                connection.settimeout(self._load_timeout)
                request = json.loads(_read_line(connection))
                files, memory = [Path(f) for f in request["files"]], int(request["memory"])
                try:
                    key = (memory, *(_identity(path) for path in files))
                except OSError as exc:
                    connection.sendall(json.dumps({"error": str(exc)}).encode())
                    return
                with self._loading_lock(key):  # and the zygote's descriptors stay open
                    try:
                        hosted, theirs = self._attach(key, files, memory)
                    except StoreUnavailable as exc:
                        connection.sendall(json.dumps({"error": str(exc)}).encode())
                        return
                    try:
                        answer = json.dumps({"figures": hosted.zygote.figures}).encode()
                        socket.send_fds(connection, [answer], [theirs.fileno(), hosted.pidfd])
                    finally:
                        self._held.discard(theirs)
                        theirs.close()  # the zygote sees it close if the store never got it
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("A request for the shared in-memory store failed: %s", exc)
        finally:
            self._held.discard(connection)

    def _loading_lock(self, key: tuple) -> threading.Lock:
        # One per graph served since the start: a graph is loaded once however many ask.
        with self._lock:
            return self._loading.setdefault(key, threading.Lock())

    def _attach(self, key: tuple, files: list[Path], memory: int) -> tuple[_Hosted, socket.socket]:
        """A new connection to the zygote of these files, started first if none runs."""
        with self._lock:
            hosted = self._zygotes.get(key)
        if hosted is not None and hosted.zygote.alive():
            try:
                theirs = hosted.zygote.attach()
                self._held.add(theirs)
                return hosted, theirs
            except StoreUnavailable:
                hosted.zygote.process.kill()  # it was stopping as its last store left
        hosted = self._start(key, files, memory)
        theirs = hosted.zygote.attach()
        self._held.add(theirs)
        return hosted, theirs

    def _start(self, key: tuple, files: list[Path], memory: int) -> _Hosted:
        name = ", ".join(path.name for path in files) or "no files"
        log.info("Loading the graph (%s) into memory, for every worker process", name)
        started = time.monotonic()
        zygote = _Zygote(self._spawner, files, memory, self._load_timeout, mode="shared")
        hosted = _Hosted(zygote, os.pidfd_open(zygote.process.pid), name)
        self._held.update((zygote.control, hosted.pidfd))
        with self._lock:
            self._zygotes[key] = hosted
        threading.Thread(target=self._watch, args=(key, hosted), daemon=True).start()
        log.info(
            "Loaded the graph (%s, %d quads) in %.1f s: one copy, shared",
            name,
            zygote.figures["quads"],
            time.monotonic() - started,
        )
        return hosted

    def _watch(self, key: tuple, hosted: _Hosted) -> None:
        """Reap a zygote when it ends, and forget it."""
        code = hosted.zygote.process.wait()
        with self._loading_lock(key):  # no request is sending its pidfd meanwhile
            with self._lock:
                if self._zygotes.get(key) is hosted:
                    del self._zygotes[key]
            self._held.difference_update((hosted.zygote.control, hosted.pidfd))
            hosted.zygote.control.close()
            os.close(hosted.pidfd)
        if code == 0:
            log.info("No store uses the graph (%s) any longer: it left memory", hosted.name)
        else:
            log.warning(
                "The shared in-memory store (%s) stopped (exit status %s)", hosted.name, code
            )

    def _forget(self) -> None:
        """In a process forked from this one: close what the host holds, leaving it to us."""
        for held in list(self._held):
            try:
                os.close(held.detach() if isinstance(held, socket.socket) else held)
            except OSError:
                pass
        self._held.clear()


def _identity(path: Path) -> tuple:
    status = path.stat()
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    return struct.unpack("3i", credentials)[1] == os.geteuid()


def _read_line(connection: socket.socket, most: int = 1 << 20) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk or len(data) > most:
            raise ValueError("the request ended before its line")
        data += chunk
    return data
