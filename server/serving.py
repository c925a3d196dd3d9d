"""The build being served, and the switch to a new one without a restart.

A `Generation` is one build as the server serves it: a snapshot of the build folder (hard
links, so it costs no copy and survives the next build's replacing the folder), the store
loaded from that snapshot, and its VoID description. Each request is pinned to the generation
current when it began, so SPARQL, the pages and the downloads of one request always come from
one build. A watcher notices a new build in BUILD_DIR (its void.ttl, written last, changes),
loads it beside the old one and switches in one assignment; the old generation is closed when
its last request ends. Nothing fails during the switch: a request either began before it (old
build, to the end) or after it (new build). A new build that does not load is logged and
reported by /health, and the old one goes on being served.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import g, has_request_context

from nap_graph.store import Answer, QueryRequest, Store

log = logging.getLogger("nap_graph.server")

DESCRIPTION = "void.ttl"  # written last by a build, and naming every file's checksum
DCAT_VERSION = "http://www.w3.org/ns/dcat#version"


def build_id(build_dir: Path) -> str | None:
    """A build's identity: the hash of its VoID, which holds every dump's checksum."""
    try:
        return hashlib.sha256((build_dir / DESCRIPTION).read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return None


def link_snapshot(build_dir: Path, target: Path) -> Path:
    """Hard-link every file of a build into `target`, and return it.

    The walk holds the build folder open by descriptor, so a build landing meanwhile (which
    renames folders) cannot mix two builds in one snapshot; a file deleted under the walk
    raises FileNotFoundError, and the caller tries again later. On another file system the
    files are copied instead.
    """
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for folder, _, files, dir_fd in os.fwalk(build_dir):
        relative = Path(folder).relative_to(build_dir)
        (partial / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            destination = partial / relative / name
            try:
                os.link(name, destination, src_dir_fd=dir_fd, follow_symlinks=False)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                    raise
                source = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
                with os.fdopen(source, "rb") as src, destination.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _parse_void(build_dir: Path) -> list[ox.Triple] | None:
    path = build_dir / DESCRIPTION
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)) if path.is_file() else None


@dataclass(eq=False)
class Generation:
    """One build as served: its files, its store, its description, and what pages cache."""

    build_dir: Path
    store: Store
    build_void: list[ox.Triple] | None  # the build's VoID, also when DATA_FILES are served
    void: list[ox.Triple] | None  # ... when the graph served is the build's
    build_id: str | None
    snapshot: bool = False  # build_dir is ours, to delete once no request uses it
    cache: dict = field(default_factory=dict)  # per build: parsed ontology, page facts
    _active: int = 0
    _retired: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    version: str | None = None  # the release's dcat:version, read once: every answer names it

    def __post_init__(self):
        self.version = next(
            (
                t.object.value
                for t in self.build_void or []
                if t.predicate.value == DCAT_VERSION
                and t.subject.value.endswith("/dataset/nap-graph")
            ),
            None,
        )

    def enter(self) -> None:
        with self._lock:
            self._active += 1

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            done = self._retired and self._active == 0
        if done:
            self._close()

    def retire(self) -> None:
        """Close once the requests still using this build have ended."""
        with self._lock:
            self._retired = True
            done = self._active == 0
        if done:
            self._close()

    def _close(self) -> None:
        self.store.close()
        if self.snapshot:
            shutil.rmtree(self.build_dir, ignore_errors=True)
        log.info("Stopped serving build %s", self.build_id)


class Serving:
    """The store the views see: the current generation's, switched when a new build lands.

    It answers the `Store` protocol, so views and tests use it as the store; a request's
    queries all go to the generation that request began with.
    """

    name = "serving"

    def __init__(
        self,
        build_dir: Path,
        cache_dir: Path,
        open_store: Callable[[Path], Store],
        *,
        data_files: bool = False,
        interval: float = 2.0,
    ):
        self.build_dir = build_dir
        self.cache_dir = cache_dir / "serving"
        self._open_store = open_store
        self._data_files = data_files
        self._switch = threading.Lock()
        self._closed = threading.Event()
        self._wake = threading.Event()
        self.switches = 0
        self.reload_error: str | None = None
        self._failed: str | None = None  # the build id that failed to load: not tried again
        # Served files are snapshots only where a later build could replace them.
        watch = interval > 0 and not data_files
        self._current = self._load(build_dir, snapshot=watch)
        self._remove_stale_snapshots()
        self._watcher = None
        if watch:
            self._watcher = threading.Thread(
                target=self._watch, args=(interval,), name="build-watcher", daemon=True
            )
            self._watcher.start()
            _on_hangup(self._wake.set)

    # ------------------------------------------------------------------ per request

    def current(self) -> Generation:
        """The generation of the request being answered, else the newest."""
        if has_request_context():
            pinned = g.get("nap_graph_generation")
            if pinned is not None:
                return pinned
        return self._current

    def enter(self) -> Generation:
        """The current generation, held until its `leave()`: a request's build."""
        with self._switch:  # never between reading the current one and entering it
            generation = self._current
            generation.enter()
        return generation

    def begin_request(self) -> None:
        g.nap_graph_generation = self.enter()

    def end_request(self) -> None:
        generation = g.pop("nap_graph_generation", None)
        if generation is not None:
            generation.leave()

    # ------------------------------------------------------------------ the Store protocol

    def query(self, request: QueryRequest) -> Answer:
        return self.current().store.query(request)

    def graph_names(self) -> list[str]:
        return self.current().store.graph_names()

    def health(self) -> dict:
        generation = self.current()
        return {
            **generation.store.health(),
            "build": generation.build_id,
            "release": generation.version,
            "build_switches": self.switches,
            "build_reload_error": self.reload_error,
        }

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self._current.retire()

    # ------------------------------------------------------------------ switching builds

    def _load(self, build_dir: Path, snapshot: bool) -> Generation:
        identity = build_id(build_dir)
        served = build_dir
        if snapshot and identity is not None:
            # One per process: granian's workers share the cache, and each deletes its own.
            served = link_snapshot(build_dir, self.cache_dir / f"{identity}-{os.getpid()}")
            identity = build_id(served)  # the snapshot's own: what it really holds
        try:
            store = self._open_store(served)
        except BaseException:
            if served != build_dir:
                shutil.rmtree(served, ignore_errors=True)
            raise
        build_void = _parse_void(served)
        return Generation(
            build_dir=served,
            store=store,
            build_void=build_void,
            void=None if self._data_files else build_void,
            build_id=identity,
            snapshot=served != build_dir,
        )

    def check(self) -> bool:
        """Switch to the build in BUILD_DIR if it is new; return whether it switched."""
        identity = build_id(self.build_dir)
        if identity is None or identity in (self._current.build_id, self._failed):
            return False
        log.info("A new build (%s) is in %s: loading it", identity, self.build_dir)
        try:
            new = self._load(self.build_dir, snapshot=True)
        except FileNotFoundError:
            return False  # a build landed during the snapshot: the next look takes it
        except Exception as exc:  # noqa: BLE001 - any failure keeps the old build served
            self._failed = identity
            self.reload_error = f"build {identity} did not load: {exc}"
            log.error("Still serving build %s: %s", self._current.build_id, self.reload_error)
            return False
        with self._switch:
            old, self._current = self._current, new
        self.switches += 1
        self.reload_error = None
        log.info("Now serving build %s (was %s)", new.build_id, old.build_id)
        old.retire()
        return True

    def _watch(self, interval: float) -> None:
        while not self._closed.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._closed.is_set():
                return
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one failure
                log.exception("Looking for a new build failed")

    def _remove_stale_snapshots(self) -> None:
        """Remove the snapshots of server processes that are gone (killed, say)."""
        if not self.cache_dir.is_dir():
            return
        for folder in self.cache_dir.iterdir():
            pid = folder.name.rpartition("-")[2].partition(".")[0]
            if not pid.isdigit() or folder == self._current.build_dir:
                continue
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                shutil.rmtree(folder, ignore_errors=True)
            except PermissionError:  # another user's process: alive
                pass


def _on_hangup(callback: Callable[[], None]) -> None:
    """`kill -HUP` looks for a new build at once, where this process may take signals."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGHUP)

    def handler(signum, frame):
        callback()
        if callable(previous):
            previous(signum, frame)

    try:
        signal.signal(signal.SIGHUP, handler)
    except ValueError:  # not the main thread of the main interpreter
        pass
