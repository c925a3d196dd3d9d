"""The server's settings: the library's table (nap_graph/settings.py) and the HTTP rows.

Each row is (name, default, environment variable, help), read by the app, `nap-graph settings`
and the docs. A variable is read as the default's type (JSON for numbers, as Flask's
from_prefixed_env does); the config given to create_app wins over both.
"""

from __future__ import annotations

from nap_graph.settings import SETTINGS as LIBRARY_SETTINGS
from nap_graph.settings import Setting

HTTP_SETTINGS = [
    Setting(
        "DATA_FILES",
        "",
        "NAP_GRAPH_DATA_FILES",
        "RDF files to serve instead of the built graph, separated by the path separator (`:`): Turtle, N-Triples, TriG, N-Quads, JSON-LD or RDF/XML, gzipped or not.",
    ),
    Setting(
        "STORE_MODE",
        "memory",
        "NAP_GRAPH_STORE_MODE",
        "`memory`: one process loads the graph into Oxigraph in memory and forks the query workers, which share it (fastest). `disk`: the workers open an Oxigraph store on disk (least memory; aggregations several times slower).",
    ),
    Setting(
        "STORE_DIR",
        "",
        "NAP_GRAPH_STORE_DIR",
        "Where the on-disk store (`disk` mode) and the gzipped downloads are kept; empty for `.nap-graph` in the project folder.",
    ),
    Setting(
        "STORE_ENDPOINT",
        "",
        "NAP_GRAPH_STORE_ENDPOINT",
        "A SPARQL 1.1 query endpoint (Virtuoso, Fuseki, the Oxigraph server...) to answer from instead of the embedded store, once `nap-graph load` has filled it from the same build; empty for the embedded store. Credentials come from NAP_GRAPH_STORE_USER, NAP_GRAPH_STORE_PASSWORD and NAP_GRAPH_STORE_AUTH (docs/deployment.md).",
    ),
    Setting(
        "QUERY_TIMEOUT",
        10.0,
        "NAP_GRAPH_QUERY_TIMEOUT",
        "Seconds a query may run; past them it is stopped and the client gets 503.",
    ),
    Setting(
        "RESULT_LIMIT",
        10000,
        "NAP_GRAPH_RESULT_LIMIT",
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; a longer answer is cut and says so in the NAP-Graph-Truncated header.",
    ),
    Setting(
        "EXPORT_LIMIT",
        200000,
        "NAP_GRAPH_EXPORT_LIMIT",
        "Most rows in a SELECT answer written as CSV or TSV, the tables that spreadsheets and data frames read whole (pandas.read_csv shows no header); MAX_RESULT_BYTES still holds, and a cut answer says so in the NAP-Graph-Truncated header.",
    ),
    Setting(
        "MAX_RESULT_BYTES",
        50000000,
        "NAP_GRAPH_MAX_RESULT_BYTES",
        "Largest answer, in bytes, as written; a longer one is cut to the whole rows or triples that fit, and says so in the NAP-Graph-Truncated header.",
    ),
    Setting(
        "QUERY_MEMORY_BYTES",
        2000000000,
        "NAP_GRAPH_QUERY_MEMORY_BYTES",
        "Memory a query worker may allocate beyond the graph it holds (RLIMIT_DATA); a query that needs more fails with 400. 0 for no bound.",
    ),
    Setting(
        "MAX_REQUEST_BYTES",
        1000000,
        "NAP_GRAPH_MAX_REQUEST_BYTES",
        "Largest request body accepted; beyond it the client gets 413. (A GET's request line and headers are limited to 16 KB in all, answered 431 by granian before the app sees them: send longer queries by POST.)",
    ),
    Setting(
        "QUERY_WORKERS",
        2,
        "NAP_GRAPH_QUERY_WORKERS",
        "Query worker processes per server process for the SPARQL endpoint: how many of its queries run at once (pages and /health have 2 more of their own). A query that finds them all busy for 2 s gets 503 with Retry-After.",
    ),
    Setting(
        "ANSWER_CACHE_BYTES",
        64000000,
        "NAP_GRAPH_ANSWER_CACHE_BYTES",
        "Bytes of answers each server process keeps per build, to answer a query asked again (same text, format and dataset) without running it; a new build starts empty. Errors, answers over a tenth of it and queries with NOW, RAND, UUID, STRUUID or BNODE are never kept. 0 keeps none.",
    ),
    Setting(
        "PROXY_HOPS",
        0,
        "NAP_GRAPH_PROXY_HOPS",
        "How many reverse proxies to trust for X-Forwarded-For, -Proto, -Host, -Port and -Prefix; 0 trusts none.",
    ),
    Setting(
        "ALLOWED_HOSTS",
        "localhost 127.0.0.1 [::1]",
        "NAP_GRAPH_ALLOWED_HOSTS",
        "Host names the server answers to, separated by spaces or commas: `example.org`, `.example.org` for the domain and its subdomains, `*` for any. A request for another host (by Host, or X-Forwarded-Host behind a trusted proxy) gets 400, so that no foreign address reaches the links, the service description or the query base. `nap-graph serve --host ADDRESS` adds that address.",
    ),
    Setting(
        "MAX_QUERY_BYTES",
        100000,
        "NAP_GRAPH_MAX_QUERY_BYTES",
        "Longest query text, in bytes; a longer one gets 413. It is read and checked in the request's thread before any time limit applies (about 0.45 s per MB), hence a bound well under MAX_REQUEST_BYTES.",
    ),
    Setting(
        "NODE_MODULES",
        "node_modules",
        "NAP_GRAPH_NODE_MODULES",
        "Folder of the front-end packages installed by `npm ci` (the query editor, YASGUI; the home page's map shapes, world-atlas); without them the editor page is a plain form and the home page has no map. Relative paths are from the project folder.",
    ),
    Setting(
        "RELOAD_INTERVAL",
        2.0,
        "NAP_GRAPH_RELOAD_INTERVAL",
        "Seconds between looks for a new build in BUILD_DIR; when one has landed, the server loads it beside the one it serves and switches SPARQL, the pages and the downloads to it at once, without a restart (`kill -HUP` looks at once). 0 never looks.",
    ),
    Setting(
        "CORS_ORIGIN",
        "*",
        "NAP_GRAPH_CORS_ORIGIN",
        "Value of Access-Control-Allow-Origin on the endpoint, the data and the downloads; empty to send none.",
        empty=True,
    ),
]

SETTINGS = LIBRARY_SETTINGS + HTTP_SETTINGS
DEFAULTS = {row.name: row.default for row in SETTINGS}
