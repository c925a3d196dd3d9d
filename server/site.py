"""The home page and the health check."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request

from server.downloads import listing
from server.store_access import get_store

bp = Blueprint("site", __name__)


def dataset_facts() -> dict:
    """Return what the VoID description says of the dataset: title, size, licence, time."""
    path = Path(current_app.config["BUILD_DIR"]) / "void.ttl"
    facts = {}
    if path.is_file():
        names = {
            "http://purl.org/dc/terms/title": "title",
            "http://rdfs.org/ns/void#triples": "triples",
            "http://purl.org/dc/terms/license": "license",
            "http://purl.org/dc/terms/modified": "built",
            "http://www.w3.org/ns/dcat#version": "version",
            "http://purl.org/dc/terms/description": "description",
        }
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.subject.value.endswith("/dataset/nap-graph") and t.predicate.value in names:
                facts[names[t.predicate.value]] = t.object.value
    return facts


@bp.route("/")
def home():
    """What the dataset is, and where to go next."""
    facts = dataset_facts()
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json":
        return {
            "dataset": facts,
            "sparql": "/sparql",
            "downloads": "/download/",
            "void": "/.well-known/void",
        }
    return render_template("home.html", facts=facts, files=listing(), health=get_store().health())


@bp.route("/health")
def health():
    """Whether the server can answer: 200 when its store does, 503 when it does not."""
    store = get_store()
    try:
        answer = store.query("ASK { }", timeout=5)
        ok = answer.body is not None
    except Exception as exc:  # any failure of the store means unhealthy, and says why
        return {"ok": False, "error": str(exc), **store.health()}, 503
    return {"ok": ok, **store.health()}, 200 if ok else 503
