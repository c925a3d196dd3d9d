"""JSON-LD with a context: the published context, compacted documents and answers, the
profiles of application/ld+json, and the dump. No JSON-LD here is ever read from the network:
the loader knows the published context, refuses any other, and the socket refuses too."""

from __future__ import annotations

import gzip
import json
import socket

import pyoxigraph as ox
import pytest
from helpers import ONTOLOGY

from nap_graph import dump, jsonld
from nap_graph.errors import NapGraphError
from nap_graph.iris import Iris
from server.render import requested_profile

BASE = "https://w3id.org/nap-graph/"
# Documents name the context by its address on the server answering (the test client's host).
CONTEXT_IRI = "http://localhost/def/context.jsonld"
WPS = "https://w3id.org/nap-graph/def/wps#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LD = "application/ld+json"
EXPANDED = f'{LD}; profile="http://www.w3.org/ns/json-ld#expanded"'
COMPACTED = f'{LD}; profile="http://www.w3.org/ns/json-ld#compacted"'
DOCUMENTS = ["country/NOR", "plan/NOR/4", "plan/NOR/4/focus-area/1"]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt fails the test: JSON-LD is read locally or not at all."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a JSON-LD test tried the network: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def canonical(triples) -> set[ox.Triple]:
    """The triples with their blank nodes named canonically, to compare graphs as sets."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {q.triple for q in dataset}


def published(client) -> dict:
    return json.loads(client.get("/def/context.jsonld").data)["@context"]


# ---------------------------------------------------------------- the context


def test_the_context_is_served_with_its_type_and_an_etag(client, built):
    response = client.get("/def/context.jsonld")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == LD
    assert response.data == (built.settings.out_dir / jsonld.CONTEXT_FILE).read_bytes()
    again = client.get("/def/context.jsonld", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.head("/def/context.jsonld").headers["ETag"] == response.headers["ETag"]


def test_the_context_has_the_prefixes_and_a_term_per_property():
    ctx = jsonld.context(ONTOLOGY, dump.data_prefixes(Iris(BASE)))
    assert ctx["wps"] == WPS and ctx["country"] == BASE + "id/country/"
    assert ctx["startYear"] == {"@id": "wps:startYear", "@type": "xsd:gYear"}
    assert ctx["edition"] == {"@id": "wps:edition", "@type": "xsd:integer"}
    assert ctx["iso3166Alpha3"] == {"@id": "wps:iso3166Alpha3"}  # xsd:string: no coercion
    assert ctx["asOf"] == {"@id": "wps:asOf"}  # a date or a month: no single datatype
    # An object property: IRIs; several values allowed: always an array.
    assert ctx["focusArea"] == {"@id": "wps:focusArea", "@type": "@id", "@container": "@set"}
    assert ctx["status"] == {"@id": "wps:status", "@type": "@id"}  # one value (sh:maxCount 1)
    # "country" names the countries' prefix, so the property's term is its compact IRI.
    assert ctx["wps:country"] == {"@id": "wps:country", "@type": "@id"}
    assert all(not isinstance(v, dict) or v["@id"].startswith("wps:") for v in ctx.values())


def test_the_loader_refuses_every_other_remote_context():
    document = {"@context": "https://example.org/context.jsonld", "@id": "urn:x", "p": "v"}
    with pytest.raises(NapGraphError, match="refused"):
        jsonld.to_triples(document, {CONTEXT_IRI: {}})


# ---------------------------------------------------------------- documents and answers


@pytest.mark.parametrize("path", DOCUMENTS)
def test_a_document_is_compacted_by_default_and_gives_its_turtle_triples(client, path):
    response = client.get(f"/doc/{path}", headers={"Accept": LD})
    assert response.headers["Content-Type"] == LD
    assert "Accept" in response.headers["Vary"]
    document = response.json
    assert document["@context"] == CONTEXT_IRI
    turtle = client.get(f"/doc/{path}.ttl").data
    expected = ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    actual = jsonld.to_triples(document, {CONTEXT_IRI: published(client)})
    assert canonical(actual) == canonical(expected)


def test_a_document_reads_as_people_write_it(client):
    document = client.get("/doc/plan/NOR/4.jsonld").json
    nodes = document.get("@graph", [document])  # one node: the document is that node
    (plan,) = [n for n in nodes if n["@id"] == BASE + "id/plan/NOR/4"]
    assert plan["@type"] == "wps:NationalActionPlan"
    assert plan["startYear"] == "2019" and plan["wps:country"] == "country:NOR"
    assert isinstance(plan["focusArea"], list)  # @set


@pytest.mark.parametrize(
    "accept",
    [
        EXPANDED,
        f"{LD};profile=http://www.w3.org/ns/json-ld#expanded",
        f"{COMPACTED};q=0, {EXPANDED}",
    ],
)
def test_the_expanded_profile_gives_expanded_json_ld(client, accept):
    response = client.get("/doc/country/NOR.jsonld", headers={"Accept": accept})
    assert response.headers["Content-Type"] == LD
    assert "Accept" in response.headers["Vary"]  # the profile changes the answer
    document = response.json
    assert isinstance(document, list) and all("@context" not in node for node in document)
    assert all(key.startswith(("@", "http")) for node in document for key in node)
    compacted = client.get("/doc/country/NOR.jsonld", headers={"Accept": COMPACTED}).json
    assert compacted["@context"] == CONTEXT_IRI
    assert canonical(jsonld.to_triples(document)) == canonical(
        jsonld.to_triples(compacted, {CONTEXT_IRI: published(client)})
    )


@pytest.mark.parametrize(
    ("header", "profile"),
    [
        (EXPANDED, jsonld.EXPANDED),
        (COMPACTED, jsonld.COMPACTED),
        (f"{LD};profile=http://www.w3.org/ns/json-ld#compacted;q=0.5", jsonld.COMPACTED),
        (f'{LD};profile="{jsonld.EXPANDED} {jsonld.COMPACTED}"', jsonld.COMPACTED),
        (f"{COMPACTED};q=0.4, {EXPANDED};q=0.9", jsonld.EXPANDED),
        (f"{EXPANDED};q=0", None),
        (f'{LD}; profile="http://www.w3.org/ns/json-ld#flattened"', None),
        (f'text/turtle; profile="{jsonld.EXPANDED}"', None),
        (LD, None),
        (None, None),
    ],
)
def test_the_profile_parameter_is_read_from_accept(header, profile):
    assert requested_profile(header) == profile


CONSTRUCT = f"""CONSTRUCT {{ ?plan ?p ?o }} WHERE {{
  ?plan a <{WPS}NationalActionPlan> ; <{WPS}country> <{BASE}id/country/NOR> ; ?p ?o }}"""


def test_construct_is_expanded_unless_compacted_is_asked_for(client):
    expanded = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": LD})
    assert expanded.headers["Content-Type"] == LD
    assert isinstance(expanded.json, list)
    compacted = client.get(
        "/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": COMPACTED}
    )
    assert compacted.headers["Content-Type"] == LD
    assert "Accept" in compacted.headers["Vary"]
    assert compacted.json["@context"] == CONTEXT_IRI
    triples = jsonld.to_triples(compacted.json, {CONTEXT_IRI: published(client)})
    assert len(triples) > 20
    assert canonical(triples) == canonical(jsonld.to_triples(expanded.json))


# ---------------------------------------------------------------- the dump


def test_the_dump_holds_the_context_and_the_graph_of_the_ntriples_dump(built):
    out = built.settings.out_dir
    path = out / "nap-graph.jsonld"
    document = json.loads(path.read_text())
    assert document["@context"] == jsonld.read_context(out / jsonld.CONTEXT_FILE)
    with gzip.open(out / "nap-graph.nt.gz") as handle:
        expected = canonical(ox.parse(handle.read(), format=ox.RdfFormat.N_TRIPLES))
    assert len(expected) == built.triple_count
    assert canonical(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)) == expected
    assert canonical(jsonld.to_triples(document)) == expected  # pyld, inline context only


def test_the_dump_writer_keeps_values_its_terms_would_coerce_otherwise(tmp_path):
    """A term's coercion fits most values; the others stay value objects, and the triples
    are the same through Oxigraph's reader and pyld's."""
    plan, wps = f"<{BASE}id/plan/X/1>", f"<{WPS}"
    lines = [
        f'{plan} {wps}edition> "1"^^<{XSD}integer>',
        f'{plan} {wps}edition> "01"^^<{XSD}integer>',  # not canonical: not a JSON number
        f"{plan} {wps}focusArea> <{BASE}id/plan/X/1/focus-area/1>",  # one value, in a @set
        f'{plan} {wps}startYear> "2019"^^<{XSD}gYear>',
        f'{plan} {wps}startYear> "2019-05"^^<{XSD}gYearMonth>',  # another datatype
        f'{plan} {wps}startYear> "2019"',  # a plain string under a coercing term
        f'{plan} {wps}status> "adopted"',  # a literal under an @id term
        f"{plan} {wps}status> _:b1",
        f'{plan} {wps}targetShareOfWomen> "3"^^<{XSD}integer>',  # a number, coerced decimal
        f"{plan} {wps}country> <{BASE}id/country/X>",
        f'{plan} <http://www.w3.org/2000/01/rdf-schema#label> "Plan"@en',
        f'_:b1 {wps}edition> "2"^^<{XSD}integer>',
    ]
    ctx = jsonld.context(ONTOLOGY, dump.data_prefixes(Iris(BASE)))
    path = tmp_path / "x.jsonld"
    dump.write_jsonld(path, [line.encode() for line in lines], ctx)
    expected = canonical(
        ox.parse(dump.ntriples([x.encode() for x in lines]), format=ox.RdfFormat.N_TRIPLES)
    )
    assert len(expected) == len(lines)
    assert canonical(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD)) == expected
    assert canonical(jsonld.to_triples(path.read_text())) == expected
    (node, _) = json.loads(path.read_text())["@graph"]
    assert node["focusArea"] == [BASE + "id/plan/X/1/focus-area/1"]
    assert node["wps:country"] == "country:X"
