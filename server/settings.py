"""The server's settings: one table of name, default and help, read by the app, the CLI and the docs.

Each default is overridden by the environment variable NAP_GRAPH_<NAME> (parsed as JSON
where it can be, as Flask's from_prefixed_env does), then by the config given to create_app.
"""

from __future__ import annotations

SETTINGS = [
    (
        "BUILD_DIR",
        "build",
        "Folder of the built graph (`nap-graph build`): loaded into the store and offered as downloads. Relative paths are from the project folder.",
    ),
    (
        "DATA_FILES",
        "",
        "RDF files to serve instead of the built graph, separated by the path separator (`:`): Turtle, N-Triples, TriG, N-Quads, JSON-LD or RDF/XML, gzipped or not.",
    ),
    (
        "STORE_MODE",
        "memory",
        "`memory`: one process loads the graph into Oxigraph in memory and forks the query workers, which share it (fastest). `disk`: the workers open an Oxigraph store on disk (least memory; aggregations several times slower).",
    ),
    (
        "STORE_DIR",
        "",
        "Where the on-disk store (`disk` mode) and the gzipped downloads are kept; empty for `.nap-graph` in the project folder.",
    ),
    (
        "STORE_ENDPOINT",
        "",
        "A SPARQL 1.1 query endpoint (Virtuoso, Fuseki, the Oxigraph server...) to answer from instead of the embedded store, once `nap-graph load` has filled it from the same build; empty for the embedded store. Credentials come from NAP_GRAPH_STORE_USER, NAP_GRAPH_STORE_PASSWORD and NAP_GRAPH_STORE_AUTH (docs/deployment.md).",
    ),
    (
        "BASE_IRI",
        "https://w3id.org/nap-graph/",
        "The base of the graph's IRIs, which this server's own address stands for.",
    ),
    (
        "QUERY_TIMEOUT",
        10.0,
        "Seconds a query may run; past them it is stopped and the client gets 503.",
    ),
    (
        "RESULT_LIMIT",
        10000,
        "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; a longer answer is cut and says so in the NAP-Graph-Truncated header.",
    ),
    (
        "MAX_RESULT_BYTES",
        50000000,
        "Largest answer, in bytes, as written; a longer one is cut to the whole rows or triples that fit, and says so in the NAP-Graph-Truncated header.",
    ),
    (
        "QUERY_MEMORY_BYTES",
        2000000000,
        "Memory a query worker may allocate beyond the graph it holds (RLIMIT_DATA); a query that needs more fails with 400. 0 for no bound.",
    ),
    (
        "MAX_REQUEST_BYTES",
        1000000,
        "Largest request body accepted; beyond it the client gets 413. (A GET's request line and headers are limited to 16 KB in all, answered 431 by granian before the app sees them: send longer queries by POST.)",
    ),
    (
        "QUERY_WORKERS",
        2,
        "Query worker processes per server process for the SPARQL endpoint: how many of its queries run at once (pages and /health have 2 more of their own). A query that finds them all busy for 2 s gets 503 with Retry-After.",
    ),
    (
        "PROXY_HOPS",
        0,
        "How many reverse proxies to trust for X-Forwarded-For, -Proto, -Host, -Port and -Prefix; 0 trusts none.",
    ),
    (
        "ALLOWED_HOSTS",
        "localhost 127.0.0.1 [::1]",
        "Host names the server answers to, separated by spaces or commas: `example.org`, `.example.org` for the domain and its subdomains, `*` for any. A request for another host (by Host, or X-Forwarded-Host behind a trusted proxy) gets 400, so that no foreign address reaches the links, the service description or the query base. `nap-graph serve --host ADDRESS` adds that address.",
    ),
    (
        "MAX_QUERY_BYTES",
        100000,
        "Longest query text, in bytes; a longer one gets 413. It is read and checked in the request's thread before any time limit applies (about 0.45 s per MB), hence a bound well under MAX_REQUEST_BYTES.",
    ),
    (
        "NODE_MODULES",
        "node_modules",
        "Folder of the front-end packages installed by `npm ci` (the query editor, YASGUI); without them the editor page is a plain form. Relative paths are from the project folder.",
    ),
    (
        "CORS_ORIGIN",
        "*",
        "Value of Access-Control-Allow-Origin on the endpoint, the data and the downloads; empty to send none.",
    ),
]

DEFAULTS = {name: default for name, default, _ in SETTINGS}
