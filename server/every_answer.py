"""What every answer carries, whichever path answered it (Flask, or server/fast_sparql.py):
the common headers, and the request log's one line."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("nap_graph.server")

EXPOSED = (
    "NAP-Graph-Truncated, NAP-Graph-Result-Limit, NAP-Graph-Unknown-Graphs, Link, "
    "Content-Disposition, Content-Location, ETag, NAP-Graph-Build, NAP-Graph-Release"
)


def served_headers(config, generation) -> dict[str, str]:
    """The headers of every answer: CORS, no sniffing, and which build answered (a client
    can tell that two answers come from one build)."""
    headers = {"X-Content-Type-Options": "nosniff"}
    origin = config["CORS_ORIGIN"]
    if origin:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSED
    if generation.build_id:
        headers["NAP-Graph-Build"] = generation.build_id
    if generation.version:
        headers["NAP-Graph-Release"] = generation.version
    return headers


def log_request(
    remote: str | None, method: str, target: str, status: int, length, started: float | None
) -> None:
    """Log one line per request; the query string is cut, a query can be long."""
    elapsed = (time.perf_counter() - (started or time.perf_counter())) * 1000
    target = target.rstrip("?")
    log.info(
        '%s "%s %s" %s %s %.1fms',
        remote,
        method,
        target if len(target) <= 200 else target[:200] + "...",
        status,
        length if length is not None else "-",
        elapsed,
    )
