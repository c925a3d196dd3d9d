"""Draw docs/model.svg, the data model in one picture: `python docs/model_svg.py`.

Each box is a class, with some of the properties its resources have; each arrow a property
from one class to another. Every name is a term of ontology/wps.ttl or of a standard
vocabulary that the data uses (tests/test_guide.py checks it, and that this script's output
is the file committed).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 1210, 980
BOX_WIDTH, TITLE, LINE = 290, 30, 19
COLUMNS = {"A": 20, "B": 460, "C": 900}
ROWS = {1: 20, 2: 270, 3: 530, 4: 800}

# name: (column, row, class, what it is, properties shown inside)
BOXES = {
    "mission": ("A", 1, "wps:Mission", "a UN peace operation", ["skos:notation", "rdfs:label"]),
    "country": (
        "B",
        1,
        "wps:Country",
        "a country or territory",
        ["wps:iso3166Alpha3", "skos:prefLabel", "wps:region", "wps:napStatus"],
    ),
    "status": (
        "C",
        1,
        "wps:CountryStatus",
        "why a country has its status",
        ["wps:napStatus", "wps:evidenceDate", "prov:wasDerivedFrom", "rdfs:comment"],
    ),
    "slice": (
        "A",
        2,
        "qb:Slice",
        "a country's or a mission's figures",
        ["qb:sliceStructure", "wps:sliceContributor", "wps:sliceMission"],
    ),
    "plan": (
        "B",
        2,
        "wps:NationalActionPlan",
        "a plan: its reconciled values",
        [
            "wps:edition",
            "wps:status",
            "wps:startYear, wps:endYear",
            "wps:lastYearInForce",
            "wps:succeeds (a plan)",
            "dcterms:source",
        ],
    ),
    "area": (
        "C",
        2,
        "wps:FocusArea",
        "a part of a plan",
        ["wps:position", "dcterms:title", "dcterms:description", "wps:pillar"],
    ),
    "observation": (
        "A",
        3,
        "qb:Observation",
        "one figure",
        [
            "wps:contributor (a country)",
            "wps:refMonth",
            "wps:mission (a mission)",
            "wps:personnelCategory",
            "wps:womenCount",
            "wps:personnelCount",
            "wps:observationStatus",
            "wps:dataSource (a source)",
        ],
    ),
    "reconciliation": (
        "B",
        3,
        "wps:Reconciliation",
        "how a disputed value was chosen",
        ["wps:onProperty", "wps:method", "wps:chosenValue"],
    ),
    "claim": (
        "C",
        3,
        "wps:Claim",
        "what one source states",
        [
            "wps:PlanClaim, wps:FocusAreaClaim,",
            "wps:StatusClaim, wps:ThemeClaim,",
            "wps:ExtensionClaim",
            "wps:statedStartYear ...",
            "wps:statedTitle ...",
        ],
    ),
    "dataset": (
        "A",
        4,
        "qb:DataSet",
        "one of five tables of figures",
        ["qb:structure", "qb:slice (its slices)", "dcterms:title", "dcterms:temporal"],
    ),
    "page": (
        "B",
        4,
        "a source page",
        "the address of a web page",
        ["dcterms:publisher (a foaf:Agent)"],
    ),
    "source": (
        "C",
        4,
        "dcat:Dataset",
        "a source file, as imported",
        ["dcterms:title", "dcterms:license", "dcterms:rights"],
    ),
}

# (from, to, label, where it leaves `from`, where it reaches `to`): a side, and where along
# it: from 0 to 1 along the top and bottom (the middle if not given), in pixels from the top
# on the left and right.
ARROWS = [
    ("mission", "country", "wps:hostCountry", "right:44", "left:44"),
    ("country", "status", "wps:napStatusRecord", "right:44", "left:44"),
    ("country", "plan", "wps:hasPlan", "bottom", "top"),
    ("mission", "slice", "wps:missionSlice", "bottom", "top"),
    ("country", "slice", "wps:contributorSlice", "bottom:0.12", "right:40"),
    ("plan", "area", "wps:focusArea", "right:44", "left:44"),
    ("plan", "reconciliation", "wps:reconciliation", "bottom", "top"),
    ("plan", "claim", "wps:claim", "bottom:0.9", "left:24"),
    ("area", "claim", "wps:claim", "bottom", "top"),
    ("reconciliation", "claim", "wps:supportingClaim", "right:60", "left:60"),
    ("slice", "observation", "qb:observation", "bottom", "top"),
    ("observation", "dataset", "qb:dataSet", "bottom", "top"),
    ("claim", "page", "dcterms:source", "bottom:0.15", "right:40"),
    ("claim", "source", "wps:dataSource", "bottom:0.6", "top:0.6"),
]
# Beneath a label: the inverse stated beside the link (docs/data-model.md, "Links both
# ways"), or a second property of the same link.
BENEATH = {
    "wps:hasPlan": "← wps:planOf",
    "wps:focusArea": "← wps:isFocusAreaOf",
    "wps:claim": "← wps:claimAbout",
    "wps:contributorSlice": "← wps:sliceContributor",
    "wps:missionSlice": "← wps:sliceMission",
    "wps:supportingClaim": "wps:conflictingClaim",
}
NOTE = (
    "Every plan, focus area, claim and country status names its sources (dcterms:source); "
    "an arrow \u2190 names the link back."
)


def height(name: str) -> int:
    return TITLE + 22 + LINE * len(BOXES[name][4]) + 10


def anchor(name: str, where: str) -> tuple[float, float]:
    column, row, *_ = BOXES[name]
    x, y, h = COLUMNS[column], ROWS[row], height(name)
    side, _, along = where.partition(":")
    f = float(along or 0.5)
    return {  # on the left and right sides, `along` is in pixels from the top
        "left": (x, y + f),
        "right": (x + BOX_WIDTH, y + f),
        "top": (x + f * BOX_WIDTH, y),
        "bottom": (x + f * BOX_WIDTH, y + h),
    }[side]


def box(name: str) -> list[str]:
    column, row, cls, what, properties = BOXES[name]
    x, y = COLUMNS[column], ROWS[row]
    out = [
        f'<g class="box"><rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{height(name)}" rx="6"/>',
        f'<text class="class" x="{x + 10}" y="{y + 22}">{escape(cls)}</text>',
        f'<text class="what" x="{x + 10}" y="{y + TITLE + 12}">{escape(what)}</text>',
    ]
    for i, prop in enumerate(properties):
        out.append(
            f'<text class="prop" x="{x + 10}" y="{y + TITLE + 34 + i * LINE}">{escape(prop)}</text>'
        )
    return out + ["</g>"]


def arrow(source: str, target: str, label: str, leaves: str, reaches: str) -> list[str]:
    (x1, y1), (x2, y2) = anchor(source, leaves), anchor(target, reaches)
    beneath = BENEATH.get(label)
    # The label at the middle; on a vertical line, beside it.
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    horizontal = abs(y2 - y1) < 1
    lx, ly = (mx, my - 8) if horizontal else (mx + 8, my)
    middle = "middle" if horizontal else "start"
    out = [
        f'<line class="link" x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" marker-end="url(#head)"/>',
        f'<text class="label" x="{lx:g}" y="{ly:g}" text-anchor="{middle}">{escape(label)}</text>',
    ]
    if beneath:
        out.append(
            f'<text class="inverse" x="{lx:g}" y="{ly + (24 if horizontal else 17):g}" '
            f'text-anchor="{middle}">{escape(beneath)}</text>'
        )
    return out


def svg() -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="title desc">',
        '<title id="title">The NAP Graph data model</title>',
        '<desc id="desc">Countries have national action plans, divided into focus areas; '
        "plans and focus areas have the claims of their sources, and reconciliations record "
        "how disputed values were chosen. Countries and missions have slices of the "
        "peacekeeping datasets' observations.</desc>",
        "<style>",
        "text { font-family: 'DejaVu Sans', Verdana, sans-serif; fill: #1a1a1a; }",
        ".box rect { fill: #f4f7fb; stroke: #3d5a80; stroke-width: 1.5; }",
        ".class { font-size: 17px; font-weight: bold; fill: #12355b; }",
        ".what { font-size: 13px; font-style: italic; fill: #444; }",
        ".prop { font-family: 'DejaVu Sans Mono', monospace; font-size: 13px; }",
        ".link { stroke: #9a3412; stroke-width: 1.6; }",
        ".label { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; fill: #9a3412; }",
        ".inverse { font-family: 'DejaVu Sans Mono', monospace; font-size: 12px; fill: #555; }",
        ".note { font-size: 13px; fill: #333; }",
        "</style>",
        '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#9a3412"/></marker></defs>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for name in BOXES:
        parts += box(name)
    for spec in ARROWS:
        parts += arrow(*spec)
    parts.append(f'<text class="note" x="20" y="{HEIGHT - 16}">{escape(NOTE)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    (Path(__file__).parent / "model.svg").write_text(svg(), encoding="utf-8")
