"""The dataset described in schema.org terms, for dataset search engines (Google Dataset Search).

Made from the build's VoID/DCAT description, so the two never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pyoxigraph as ox

DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
IANA = "https://www.iana.org/assignments/media-types/"
# The distributions a dataset search engine lists: the whole graph, the statistics and the
# ontology; the 250 per-country files are linked from the downloads page instead.
LISTED = ("/download/nap-graph.", "/download/statistics/", "/download/ontology/")


def dataset(void: list[ox.Triple], address: Callable[[str], str], sources: list[dict]) -> dict:
    """Return a schema.org Dataset as JSON-LD.

    `address` maps an IRI of the graph to its URL on this server; `sources` are the source
    datasets (title, page, publisher) that the graph is based on.
    """
    about: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for t in void:
        about[t.subject.value][t.predicate.value].append(t.object.value)
    main = next(
        (s for s, p in about.items() if s.endswith("/dataset/nap-graph") and RDF_TYPE in p), None
    )
    if main is None:
        return {}
    facts = about[main]

    def one(predicate: str) -> str | None:
        return (facts.get(predicate) or [None])[0]

    creator = one(DCT + "creator")
    distributions = []
    for dist in sorted(facts.get(DCAT + "distribution", [])):
        d = about[dist]
        url = (d.get(DCAT + "downloadURL") or [""])[0]
        if not any(part in url for part in LISTED):
            continue
        media = (d.get(DCAT + "mediaType") or [""])[0].removeprefix(IANA)
        distributions.append(
            {
                "@type": "DataDownload",
                "name": (d.get(DCT + "title") or [url])[0],
                "encodingFormat": media,
                "contentUrl": address(url),
                "contentSize": f"{(d.get(DCAT + 'byteSize') or ['0'])[0]} B",
            }
        )
    described = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": main,
        "name": one(DCT + "title"),
        "description": one(DCT + "description"),
        "url": address(one(DCAT + "landingPage") or main),
        "identifier": main,
        # The licence (CC BY 4.0) covers NAP Graph's records and compilation; the UN's figures
        # keep the UN's terms, and some sources state none: the conditions say so in words.
        "conditionsOfAccess": _label(about, one(DCT + "rights")),
        "creditText": "NAP Graph; peacekeeping figures: United Nations Department of Peace Operations",
        "isAccessibleForFree": True,
        "version": one(DCAT + "version"),
        "dateModified": one(DCT + "modified"),
        "creator": {
            "@type": "Organization",
            "name": (about[creator].get(FOAF + "name") or ["NAP Graph"])[0]
            if creator
            else "NAP Graph",
        },
        "keywords": [
            "Women, Peace and Security",
            "UN Security Council Resolution 1325",
            "National Action Plans",
            "UN peacekeeping",
            "gender parity",
            "linked data",
        ],
        "isBasedOn": [s["page"] for s in sources if s.get("page")],
        "distribution": distributions,
    }
    if one(DCT + "license"):
        described["license"] = one(DCT + "license")
    return {k: v for k, v in described.items() if v is not None}


def _label(about: dict, iri: str | None) -> str | None:
    labels = about.get(iri, {}).get("http://www.w3.org/2000/01/rdf-schema#label") if iri else None
    return labels[0] if labels else None
