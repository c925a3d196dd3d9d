"""Links both ways: a crawler that starts at a country and follows links only, through the
real server's 303s and Turtle documents, reaches everything about that country."""

from __future__ import annotations

import gzip
from collections import deque

import pyoxigraph as ox
import pytest
import requests
from helpers import TIMEOUT

from nap_graph.iris import DEFAULT_BASE_IRI

pytestmark = pytest.mark.live

TURTLE = {"Accept": "text/turtle"}
MAX_REQUESTS = 4000  # the small build has about 1,500 resources under /id/


def crawl(server, start: str) -> tuple[set[str], int]:
    """Breadth first from `start` (a path such as /id/country/NOR): GET each IRI under the
    server's /id/ space as Turtle, follow its 303, and queue every IRI under /id/ that the
    document names as subject or object. Return the IRIs reached (in the graph's base) and the
    number of requests made."""
    local = server.url + "/"
    spaces = (DEFAULT_BASE_IRI + "id/", local + "id/")
    seen, queue, requests_made = {start}, deque([start]), 0
    reached: set[str] = set()
    with requests.Session() as session:
        while queue:
            path = queue.popleft()
            assert requests_made < MAX_REQUESTS, f"the crawl did not end after {requests_made}"
            response = session.get(
                server.url + path, headers=TURTLE, allow_redirects=False, timeout=TIMEOUT
            )
            requests_made += 1
            assert response.status_code == 303, (path, response.status_code)
            document = requests.compat.urljoin(server.url + path, response.headers["Location"])
            response = session.get(document, headers=TURTLE, timeout=TIMEOUT)
            requests_made += 1
            assert response.status_code == 200, (document, response.status_code)
            assert response.headers["Content-Type"].startswith("text/turtle")
            reached.add(DEFAULT_BASE_IRI + path[1:])
            for triple in ox.parse(response.content, format=ox.RdfFormat.TURTLE, base_iri=document):
                for term in (triple.subject, triple.object):
                    if not isinstance(term, ox.NamedNode):
                        continue
                    for space in spaces:
                        if term.value.startswith(space):
                            # The document's own IRI, or a fragment of it, names no new thing.
                            target = "/id/" + term.value[len(space) :].split("#")[0]
                            if target not in seen:
                                seen.add(target)
                                queue.append(target)
    return reached, requests_made


@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    """The built graph, to say what the crawl must reach without restating it."""
    store = ox.Store()
    with gzip.open(built.settings.out_dir / "nap-graph.nt.gz", "rb") as handle:
        store.load(handle.read(), format=ox.RdfFormat.N_TRIPLES)
    return store


def iris(store: ox.Store, where: str) -> set[str]:
    query = f"""PREFIX wps: <https://w3id.org/nap-graph/def/wps#>
        PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT DISTINCT ?x WHERE {{ {where} }}"""
    return {row["x"].value for row in store.query(query)}


@pytest.fixture(scope="module")
def norway(live_server) -> set[str]:
    reached, _ = crawl(live_server, "/id/country/NOR")
    return reached


NOR = "<https://w3id.org/nap-graph/id/country/NOR>"


def test_a_crawl_from_a_country_reaches_its_plans_focus_areas_and_slices(norway, store):
    plans = iris(store, f"?x a wps:NationalActionPlan ; wps:country {NOR}")
    focus_areas = iris(store, f"?x wps:isFocusAreaOf ?plan . ?plan wps:country {NOR}")
    slices = iris(store, f"?x a qb:Slice ; wps:contributor {NOR}")
    assert len(plans) >= 4 and focus_areas and len(slices) >= 2  # the small build's Norway
    assert plans - norway == set()
    assert focus_areas - norway == set()
    assert slices - norway == set()


def test_a_crawl_from_a_country_reaches_every_observation_it_contributed_to(norway, store):
    observations = iris(store, f"?x a qb:Observation ; wps:contributor {NOR}")
    assert len(observations) > 10
    assert observations - norway == set()


def test_a_crawl_from_a_country_reaches_every_resource_about_it(norway, store):
    """Its status record, claims, reconciliations and context, and the missions it served in."""
    about = iris(
        store,
        f"""{{ ?x wps:country {NOR} }} UNION {{ ?x wps:claimAbout/wps:country {NOR} }}
        UNION {{ ?x wps:claimAbout {NOR} }}
        UNION {{ ?plan wps:country {NOR} . ?plan (wps:focusArea|wps:claim|wps:reconciliation)+ ?x }}
        UNION {{ ?o wps:contributor {NOR} ; wps:mission ?x }}""",
    )
    assert about - norway == set()
    reconciliations = {iri for iri in about if "/reconciliation/" in iri}
    assert reconciliations and {iri for iri in about if "/context" in iri}


def test_a_mission_links_to_its_observations(live_server, store):
    """A mission's description names its slice, and the slice each observation of it."""
    mission = "https://w3id.org/nap-graph/id/mission/UNMISS"
    observations = iris(store, f"?x wps:mission <{mission}>")
    slice_iri = iris(store, f"<{mission}> wps:missionSlice ?x")
    assert len(slice_iri) == 1
    documents = {}
    for path in ("/id/mission/UNMISS", "/id/" + slice_iri.pop().split("/id/", 1)[1]):
        response = requests.get(live_server.url + path, headers=TURTLE, timeout=TIMEOUT)
        assert response.status_code == 200
        documents[path] = {
            t.object.value
            for t in ox.parse(response.content, format=ox.RdfFormat.TURTLE)
            if isinstance(t.object, ox.NamedNode)
        }
    linked = set().union(*documents.values())
    assert observations and {o.split("/id/", 1)[1] for o in observations} <= {
        o.split("/id/", 1)[1] for o in linked if "/id/" in o
    }


def test_slices_hold_the_data_cube_integrity_constraints_on_slices(store):
    """IC-7 to IC-10 of the RDF Data Cube recommendation, as it writes them (after the
    normalisation that gives each component a qb:componentProperty)."""
    prefixes = "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
    normalised = "?dsd qb:component ?cs . ?cs qb:dimension|qb:componentProperty ?prop ."
    violations = {
        "IC-7": "ASK { ?sliceKey a qb:SliceKey . "
        "FILTER NOT EXISTS { [ a qb:DataStructureDefinition ] qb:sliceKey ?sliceKey } }",
        "IC-8": "ASK { ?slicekey a qb:SliceKey ; qb:componentProperty ?prop . "
        "?dsd qb:sliceKey ?slicekey . "
        f"FILTER NOT EXISTS {{ {normalised} }} }}",
        "IC-9a": "ASK { ?slice a qb:Slice . FILTER NOT EXISTS { ?slice qb:sliceStructure ?key } }",
        "IC-9b": "ASK { ?slice a qb:Slice ; qb:sliceStructure ?key1, ?key2 . "
        "FILTER (?key1 != ?key2) }",
        "IC-10": "ASK { ?slice qb:sliceStructure ?key . ?key qb:componentProperty ?dim . "
        "FILTER NOT EXISTS { ?slice ?dim ?val } }",
    }
    assert any(True for _ in store.query(prefixes + "SELECT * WHERE { ?s a qb:Slice } LIMIT 1"))
    for name, ask in violations.items():
        assert not store.query(prefixes + ask), name
