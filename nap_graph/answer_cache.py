"""Answers kept for the build they came from: a store that asks the one it wraps only once.

A build is read-only, so a query asked again of the same build, in the same format, over the
same dataset, has the same answer: the pages ask the same few queries for every visitor, the
examples and harvesters ask the same ones again and again, and an aggregation over every
month costs half a second of a query worker each time. The cache lives and dies with its
build's store (server/serving.py makes one per build), so a new build never answers from an
old one's. Left out: errors (a time limit may pass on a busy machine and not on a quiet one),
answers larger than a tenth of the cache, and queries whose answer changes from one asking
to the next (NOW, RAND, UUID, STRUUID, BNODE: matched anywhere in the text, which is safe).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from nap_graph.store import Answer, QueryRequest, Store

# SPARQL's functions whose value is new at each evaluation (SPARQL 1.1, 17.4.5, 17.4.2.9).
_UNSTABLE = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\b", re.IGNORECASE)


class CachedStore:
    """A store that keeps answers, least recently asked out first, within `max_bytes`."""

    def __init__(self, store: Store, max_bytes: int):
        self.store = store
        self.name = store.name
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def query(self, request: QueryRequest) -> Answer:
        key = _key(request)
        if key is None:
            return self.store.query(request)
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return answer
            self.misses += 1
        answer = self.store.query(request)  # errors are raised, and so not kept
        size = len(answer.body) + len(request.query)
        if size <= self.max_bytes // 10:
            with self._lock:
                if key not in self._answers:
                    self._answers[key] = answer
                    self._bytes += size
                while self._bytes > self.max_bytes:
                    old_key, old = self._answers.popitem(last=False)
                    self._bytes -= len(old.body) + len(old_key[0])
        return answer

    def graph_names(self) -> list[str]:
        return self.store.graph_names()

    def health(self) -> dict:
        with self._lock:
            figures = {
                "answers_cached": len(self._answers),
                "answer_cache_bytes": self._bytes,
                "answer_cache_hits": self.hits,
                "answer_cache_misses": self.misses,
            }
        return {**self.store.health(), **figures}

    def close(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0
        self.store.close()


def cached(store: Store, max_bytes: int) -> Store:
    """The store with an answer cache of `max_bytes`, or the store itself for 0."""
    return CachedStore(store, max_bytes) if max_bytes > 0 else store


def _key(request: QueryRequest) -> tuple | None:
    """What makes an answer: everything of the request but its pool and time limit."""
    if not request.cached or _UNSTABLE.search(request.query):
        return None
    return (
        request.query,
        request.results_format,
        request.graph_format,
        request.default_graphs,
        request.named_graphs,
        request.base_iri,
        request.union,
        request.limit,
    )
