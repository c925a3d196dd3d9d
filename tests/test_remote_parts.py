"""The parts of loading into and serving from an external store that need no store: how the
build is split and batched, where the graphs and credentials come from, and how a store's
DESCRIBE is cut to the document we publish. (How a stranger's query is checked and bounded
before it is sent: test_query_check.py.)"""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest

from nap_graph.load import GraphFile, batches, split_by_graph
from nap_graph.remote import Credentials, graphs_of_void
from nap_graph.store import BUILT_FILE
from server.resources import concise_bounded_description


def test_the_build_is_split_by_graph_with_blank_nodes_kept_together(tmp_path):
    lines = [
        "<http://e/a> <http://e/p> <http://e/b> <http://e/g1> .",
        "<http://e/a> <http://e/p> _:x <http://e/g1> .",
        "_:x <http://e/q> _:y <http://e/g1> .",
        "_:y <http://e/q> <http://e/c> <http://e/g1> .",
        "_:z <http://e/q> <http://e/c> <http://e/g1> .",
        "<http://e/a> <http://e/p> <http://e/d> <http://e/g2> .",
    ]
    with gzip.open(tmp_path / BUILT_FILE, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    graphs = split_by_graph(tmp_path, tmp_path)
    assert {g: f.count for g, f in graphs.items()} == {"http://e/g1": 5, "http://e/g2": 1}
    sent = list(batches(graphs["http://e/g1"], 2))
    assert sum(len(b) for b in sent) == 5
    chain = [b for b in sent if any("_:y" in line for line in b)]
    assert len(chain) == 1 and sum("_:x" in line or "_:y" in line for line in chain[0]) == 3


def test_batches_of_a_graph_without_blank_nodes(tmp_path):
    path = tmp_path / "g.nt"
    path.write_text("".join(f"<http://e/{i}> <http://e/p> <http://e/o> .\n" for i in range(7)))
    assert [len(b) for b in batches(GraphFile(path, 7), 3)] == [3, 3, 1]


def test_graphs_and_sizes_come_from_the_void(built):
    void = list(ox.parse(path=str(built.settings.out_dir / "void.ttl"), format=ox.RdfFormat.TURTLE))
    graphs = graphs_of_void(void)
    assert set(graphs) == {
        "https://w3id.org/nap-graph/graph/naps",
        "https://w3id.org/nap-graph/graph/peacekeeping",
        "https://w3id.org/nap-graph/graph/vocabulary",
    }
    assert all(size > 0 for size in graphs.values())


def test_credentials_come_from_the_environment_only(monkeypatch):
    monkeypatch.delenv("NAP_GRAPH_STORE_USER", raising=False)
    assert Credentials.from_environment() is None
    monkeypatch.setenv("NAP_GRAPH_STORE_USER", "loader")
    monkeypatch.setenv("NAP_GRAPH_STORE_PASSWORD", "secret")
    monkeypatch.setenv("NAP_GRAPH_STORE_AUTH", "Digest")
    assert Credentials.from_environment() == Credentials("loader", "secret", "digest")
    monkeypatch.setenv("NAP_GRAPH_STORE_AUTH", "kerberos")
    with pytest.raises(Exception, match="basic or digest"):
        Credentials.from_environment()


def test_a_describe_is_cut_to_the_resource_and_its_blank_nodes():
    a, b, c = (ox.NamedNode(f"http://e/{n}") for n in "abc")
    p = ox.NamedNode("http://e/p")
    x, y = ox.BlankNode("x"), ox.BlankNode("y")
    answer = [
        ox.Triple(c, p, a),  # pointing at the resource: Virtuoso's DESCRIBE adds these
        ox.Triple(a, p, x),
        ox.Triple(x, p, y),
        ox.Triple(y, p, b),
        ox.Triple(a, p, b),
        ox.Triple(b, p, c),  # another resource's own triple
    ]
    kept = concise_bounded_description(a, answer)
    assert set(kept) == {answer[1], answer[2], answer[3], answer[4]}
    assert kept == sorted(kept, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
