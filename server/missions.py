"""What the page of a peacekeeping mission shows: its facts as recorded, the months of its
observations, and its contributors by the share of women among their personnel."""

from __future__ import annotations

from server.charts import SMALL, bar_chart
from server.pages import rows

# Properties that may hold a mission's name; the acronym itself is no full name.
NAMES = ("skos:prefLabel", "dcterms:title", "rdfs:label", "skos:altLabel", "foaf:name")


def mission_facts(iri: str) -> dict:
    """The acronym, the full name if the graph records one, the host country and the
    headquarters: each None where it is not recorded."""
    found = rows(f"""SELECT ?notation ?host ?hostName ?headquarters WHERE {{
        OPTIONAL {{ <{iri}> skos:notation ?notation }}
        OPTIONAL {{ <{iri}> wps:hostCountry ?host . OPTIONAL {{ ?host skos:prefLabel ?hostName }} }}
        OPTIONAL {{ <{iri}> wps:headquarters ?headquarters }} }}""")
    facts = found[0] if found else {}
    acronym = facts.get("notation") or iri.rsplit("/", 1)[-1]
    names = sorted(
        {
            r["name"]
            for r in rows(f"""SELECT ?name WHERE {{ VALUES ?p {{ {" ".join(NAMES)} }}
                <{iri}> ?p ?name . FILTER (LANG(?name) IN ("", "en")) }}""")
            if r["name"].strip().casefold() != acronym.casefold()
        }
    )
    return {
        "acronym": acronym,
        "names": names,
        "host": facts.get("host"),
        "host_name": facts.get("hostName"),
        "headquarters": facts.get("headquarters"),
    }


def mission_period(iri: str) -> tuple[str | None, str | None]:
    """The first and last months of the mission's observations."""
    found = rows(f"""SELECT (MIN(STR(?month)) AS ?first) (MAX(STR(?month)) AS ?last) WHERE {{
        ?o wps:mission <{iri}> ; wps:refMonth ?month }}""")
    return (found[0].get("first"), found[0].get("last")) if found else (None, None)


def contributors_in(iri: str, month: str) -> list[dict]:
    """Each country's women and personnel in the mission in one month, all categories
    together, by share of women (highest first); a share the source flags as unreliable
    is withheld and listed last."""
    found = rows(f"""SELECT ?country ?name (SUM(?w) AS ?women) (SUM(?t) AS ?total)
            (COUNT(?flag) AS ?unreliable) WHERE {{
        ?o wps:mission <{iri}> ; wps:refMonth "{month}"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> ;
           wps:contributor ?country ; wps:womenCount ?w ; wps:personnelCount ?t .
        OPTIONAL {{ ?o wps:observationStatus ?flag . FILTER (?flag = wps:GenderSplitUnreliable) }}
        OPTIONAL {{ ?country skos:prefLabel ?name }} }} GROUP BY ?country ?name""")
    contributors = []
    for r in found:
        women, total = int(r["women"]), int(r["total"])
        withheld = int(r["unreliable"]) > 0
        contributors.append(
            {
                "country": r["country"],
                "label": r.get("name") or r["country"].rsplit("/", 1)[-1],
                "women": None if withheld else women,
                "total": total,
                "share": None if withheld or not total else women / total,
                "small": total < SMALL,
            }
        )
    return sorted(
        contributors,
        key=lambda c: (c["share"] is None, -(c["share"] or 0), -c["total"], c["label"]),
    )


def mission_page(iri: str) -> dict:
    """Everything the page of a mission shows."""
    facts = mission_facts(iri)
    first, last = mission_period(iri)
    contributors = contributors_in(iri, last) if last else []
    charted = [c for c in contributors if c["share"] is not None]
    chart = (
        bar_chart(
            "chart-contributors",
            f"{facts['acronym']}: share of women among each country's personnel, {last}",
            charted,
            f"Share of women, {last}",
        )
        if charted
        else None
    )
    return {
        "mission": facts,
        "first_month": first,
        "last_month": last,
        "contributors": contributors,
        "chart": chart,
        "small": SMALL,
        "small_count": sum(1 for c in charted if c["small"]),
    }
