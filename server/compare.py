"""The compare page: the share of women of the countries a visitor picks, in one category,
overlaid on one chart with the category's targets; a plain GET form, no JavaScript."""

from __future__ import annotations

from flask import render_template, request

from server import pages
from server.charts import SMALL, share_chart, shared_top
from server.store_access import served

# Lines on one chart before it stops being readable.
MOST = 8


def contributors() -> list[dict]:
    """Every country with contributions on record (a slice of the statistics), by name;
    found once per build."""
    cache = served().cache.setdefault("pages", {})
    if "contributors" not in cache:
        cache["contributors"] = sorted(
            pages.rows("""SELECT DISTINCT ?country ?name ?iso3 WHERE { ?country wps:contributorSlice ?s ;
                skos:prefLabel ?name ; wps:iso3166Alpha3 ?iso3 }"""),
            key=lambda c: (c["name"], c["iso3"]),
        )
    return cache["contributors"]


def compare():
    """/compare?country=NOR&country=SWE&category=troops"""
    known = {c["iso3"]: c for c in contributors()}
    asked = list(dict.fromkeys(code.strip().upper() for code in request.args.getlist("country")))
    chosen = [known[code] for code in asked if code in known][:MOST]
    unknown = [code for code in asked if code not in known]
    categories = {notation: (label, target) for notation, label, target in pages.CHART_CATEGORIES}
    category = request.args.get("category", "troops")
    if category not in categories:
        category = "troops"
    label, target_notation = categories[category]
    targets = pages.parity_targets().get(target_notation, {})
    lines = {}
    for country in chosen:
        values = pages.monthly_contributions(country["country"]).get(category, [])
        if values:
            lines[country["name"]] = values
    months = sorted({m.month for values in lines.values() for m in values})
    chart = None
    if months:
        names = " and ".join(lines) if len(lines) < 3 else f"{len(lines)} countries"
        chart = share_chart(
            "chart-compare",
            f"{label}: share of women, {names}, {months[0]} to {months[-1]}",
            lines,
            targets,
            months[0],
            months[-1],
            shared_top([m.share for values in lines.values() for m in values], targets.values()),
        )
    by_month = {name: {m.month: m for m in values} for name, values in lines.items()}
    return render_template(
        "compare.html",
        # The countries chosen first, so that a long list shows them without scrolling.
        contributors=sorted(known.values(), key=lambda c: c not in chosen),
        chosen=chosen,
        chosen_codes={c["iso3"] for c in chosen},
        unknown=unknown,
        too_many=len([code for code in asked if code in known]) > MOST,
        most=MOST,
        categories=pages.CHART_CATEGORIES,
        category=category,
        label=label,
        lines=lines,
        without=[c["name"] for c in chosen if c["name"] not in lines],
        chart=chart,
        months=months,
        by_month=by_month,
        targets=sorted(targets.items()),
        small=SMALL,
    )
