"""The redirect rules that make the default base IRI, https://w3id.org/nap-graph/, resolve.

w3id.org serves permanent identifiers from one Apache `.htaccess` per name, kept in the
repository github.com/perma-id/w3id.org. Ours sends every path under the name to the same path
of the deployment's public address, with the Accept header untouched, so the server there
negotiates as it does for its own addresses (its /id/ IRIs then answer 303 to /doc/).
`nap-graph w3id --public-url URL` writes the file and the folder's README for a deployment;
docs/deployment.md says how to register them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from nap_graph.errors import NapGraphError

NAME = "nap-graph"
# The deployment the shipped files (w3id/nap-graph/) name; regenerate them for the real one.
EXAMPLE_PUBLIC_URL = "https://nap-graph.example.org/"

HTACCESS = """\
# NAP Graph: persistent IRIs for the Women, Peace and Security National Action Plans graph.
# Maintainers: see README.md in this folder. Written by `nap-graph w3id`.
#
# Every path under https://w3id.org/{name}/ goes to the same path at the deployment,
# with its query string; the deployment negotiates the format from the Accept header.
Options +FollowSymLinks
RewriteEngine on

# The SPARQL endpoint: 307, so that a POSTed query stays a POST with its body.
RewriteRule ^sparql$ {public}sparql [R=307,L]

# Things (/id/, answered 303 to /doc/), documents (/doc/), the ontology and the shapes
# (/def/), named graphs (/graph/), downloads (/download/) and the home page: 302, since the
# deployment may move and this address stays.
RewriteRule ^(.*)$ {public}$1 [R=302,L,NE]
"""

README = """\
# {name}

Persistent IRIs for [NAP Graph]({public}), a linked-data publisher of the Women, Peace and
Security agenda: the national action plans that carry out UN Security Council Resolution
1325, their focus areas, and the UN peacekeeping statistics by gender.

- `https://w3id.org/{name}/id/...`: countries, plans, focus areas, observations;
- `https://w3id.org/{name}/def/wps`: the WPS ontology (hash IRIs), `/def/shapes` its shapes;
- `https://w3id.org/{name}/graph/...`: the named graphs;
- `https://w3id.org/{name}/sparql`: the SPARQL 1.1 endpoint.

Every path redirects to the same path at {public}.

Contacts: the NAP Graph maintainers (see the project's README for the issue tracker).
"""


def public_address(public_url: str) -> str:
    """Check a public address and return it with one closing slash."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise NapGraphError(
            f"the public address must be an http(s) URL with no query or fragment, such as "
            f"https://wps.example.org/: {public_url!r}"
        )
    if re.search(r"\s", public_url):
        raise NapGraphError(f"the public address holds white space: {public_url!r}")
    return public_url if public_url.endswith("/") else public_url + "/"


def htaccess(public_url: str) -> str:
    return HTACCESS.format(name=NAME, public=public_address(public_url))


def readme(public_url: str) -> str:
    return README.format(name=NAME, public=public_address(public_url))
