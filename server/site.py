"""The home page and the health check."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, make_response, render_template, request

from nap_graph.store import QueryRequest
from server import home_page, pages, schema_org
from server.render import local_url, public_address, script_json, wants_json
from server.store_access import get_store, served

bp = Blueprint("site", __name__)


def dataset_facts() -> dict:
    """Return what the VoID description says of the dataset: title, size, licence, time."""
    # The build's VoID, parsed once by create_app (also when DATA_FILES serves other files).
    void = served().build_void
    facts = {}
    if void is not None:
        names = {
            "http://purl.org/dc/terms/title": "title",
            "http://rdfs.org/ns/void#triples": "triples",
            "http://purl.org/dc/terms/license": "license",
            "http://purl.org/dc/terms/rights": "rights_iri",
            "http://purl.org/dc/terms/modified": "built",
            "http://www.w3.org/ns/dcat#version": "version",
            "http://purl.org/dc/terms/description": "description",
        }
        labels = {}
        for t in void:
            if t.subject.value.endswith("/dataset/nap-graph") and t.predicate.value in names:
                facts[names[t.predicate.value]] = t.object.value
            elif t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label":
                labels[t.subject.value] = t.object.value
        if "rights_iri" in facts:
            facts["rights"] = labels.get(facts.pop("rights_iri"))
    return facts


@bp.route("/")
def home():
    """What the dataset is, every country with a plan (filterable), and where to go next."""
    facts = dataset_facts()
    if wants_json():
        response = jsonify(
            {
                "dataset": facts,
                "sparql": "/sparql",
                "downloads": "/download/",
                "void": "/.well-known/void",
            }
        )
    else:
        response = make_response(_home_page(facts))
    response.headers["Vary"] = "Accept"  # JSON or a page, by Accept
    return response


def _home_page(facts: dict) -> str:
    """The home page: the countries, filtered by region or name (`region`, `q`)."""
    countries = pages.countries_with_plans()
    regions = sorted(
        {(c["region_key"], c["region"]) for c in countries if c["region_key"]}, key=lambda r: r[1]
    )
    region = request.args.get("region", "").strip()
    name = request.args.get("q", "").strip()
    shown = [
        c
        for c in countries
        if (not region or c["region_key"] == region)
        and (not name or name.casefold() in c["name"].casefold() or name.upper() == c["iso3"])
    ]
    sources = pages.dataset_sources()
    year = home_page.chosen_year(request.args.get("year"))
    void = served().void or []
    described = schema_org.dataset(void, lambda iri: public_address(local_url(iri)), sources)
    return render_template(
        "home.html",
        facts=facts,
        health=get_store().health(),
        countries=shown,
        total=len(countries),
        counts=pages.status_counts(pages.this_year()),
        regions=regions,
        region=region,
        q=name,
        sources=sources,
        year=pages.this_year(),
        map_year=year,
        map_years=home_page.years(),
        world_map=home_page.world_map_svg(year),
        statuses=home_page.STATUSES,
        by_status=home_page.by_status(year),
        latest_plans=home_page.latest_plans(pages.this_year()),
        over_time=home_page.regions_over_time(),
        coverage=home_page.coverage(),
        schema_org=script_json(json.dumps(described, indent=1, ensure_ascii=False)),
    )


@bp.route("/health")
def health():
    """Whether the server can answer: 200 when its store does, 503 when it does not."""
    store = get_store()
    try:
        answer = store.query(QueryRequest("ASK { }", timeout=5, cached=False))
        ok = answer.body is not None
    except Exception as exc:  # any failure of the store means unhealthy, and says why
        return {**store.health(), "ok": False, "error": str(exc)}, 503
    info = store.health()  # a remote store may answer and still not hold the build
    ok = ok and info.pop("ok", True)
    return {"ok": ok, **info}, 200 if ok else 503
