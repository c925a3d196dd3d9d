"""What the query editor embeds: its endpoint, whether YASGUI is here, and its completions.

YASQE's own completers offer a list of prefixes from all over the web and ask a service
elsewhere (LOV) for classes and properties; the editor here completes from this graph's own
prefixes, classes (from the VoID description) and properties (the ontology's and those the
graph uses), so that no keystroke leaves the server.
"""

from __future__ import annotations

import json

from nap_graph.dump import data_prefixes
from nap_graph.iris import Iris
from server.render import base, external_url, script_json
from server.store_access import select, served
from server.vendor import available

VOID_CLASS = "http://rdfs.org/ns/void#class"


def completions() -> dict:
    """Return the prefixes, classes and properties to complete, once per build."""
    generation = served()
    if "editor_completions" not in generation.cache:
        classes = sorted(
            {t.object.value for t in generation.build_void or [] if t.predicate.value == VOID_CLASS}
        )
        # Once per build: about a second on the whole graph.
        used = select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }", limit=5000)
        generation.cache["editor_completions"] = {
            "prefixes": data_prefixes(Iris(base())),
            "classes": classes,
            "properties": sorted({row["p"]["value"] for row in used}),
        }
    return generation.cache["editor_completions"]


def editor_settings() -> dict:
    """What a page with the editor needs (sparql.html, results.html, through _editor.html)."""
    return {
        "endpoint": external_url("sparql.endpoint"),
        "yasgui": available("yasgui"),
        "completions_json": script_json(json.dumps(completions())),
    }
