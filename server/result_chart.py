"""A chart of a SELECT answer, drawn on the server as SVG (GET or POST /sparql/chart, with
the `query` of /sparql), for the results page and the editor's Chart view.

The query goes through the endpoint's own checks and limits (server/endpoint.py); the chart
is drawn with Vega-Lite by server/charts.py, so nothing loads from elsewhere. Its x is the
answer's first variable, its y the first other variable whose values are all numbers, its
colour a third variable of few values; a line over time when x holds months, years or
dates, bars in the answer's order otherwise.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, make_response

from server import charts
from server.endpoint import check_query, read_request, run_query
from server.errors import APIError, NotChartable

bp = Blueprint("result_chart", __name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMBERS = {
    XSD + name
    for name in (
        "integer decimal double float int long short byte nonNegativeInteger "
        "positiveInteger negativeInteger nonPositiveInteger unsignedInt unsignedLong "
        "unsignedShort unsignedByte"
    ).split()
}
# Values of x read as a time: the date Vega-Lite reads from each (UTC).
TIMES = {
    XSD + "gYearMonth": lambda v: v[:7] + "-01",
    XSD + "gYear": lambda v: v[:4] + "-01-01",
    XSD + "date": lambda v: v[:10],
}
MOST_POINTS = 2_000
MOST_COLOURS = 12
CHART_ID = "results-chart"


@bp.route("/sparql/chart", methods=["GET", "POST"])
def chart():
    """The chart of a SELECT answer as SVG; 400 with the reason when it has none."""
    query, defaults, named, _ = read_request()
    if query is None:
        raise APIError("a chart needs a 'query' parameter: a SELECT query", 400, "NOT_CHARTABLE")
    checked = check_query(query, defaults, named)
    if checked.scan.inspection.form != "SELECT":
        raise APIError(
            f"only a SELECT answer can be charted, not a {checked.scan.inspection.form} answer",
            400,
            "NOT_CHARTABLE",
        )
    answer = run_query(
        checked,
        results_format="json",
        graph_format="turtle",
        limit=int(current_app.config["RESULT_LIMIT"]),
    )
    if answer.kind != "bindings":
        raise APIError("only a SELECT answer can be charted", 400, "NOT_CHARTABLE")
    try:
        svg = chart_svg(json.loads(answer.body), answer.truncated)
    except NotChartable as exc:
        raise APIError(str(exc), 400, "NOT_CHARTABLE") from None
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    return response


@bp.app_template_global("results_chart")
def chart_or_none(results: dict, truncated: bool = False) -> str | None:
    """The inline SVG chart of a SELECT answer for the results page, or None."""
    try:
        return chart_svg(results, truncated)
    except NotChartable:
        return None


def chart_svg(results: dict, truncated: bool = False) -> str:
    """The SVG chart of a SELECT answer (SPARQL JSON results), or NotChartable."""
    title, spec = chart_spec(results, truncated)
    svg = charts.render(CHART_ID, title, spec)
    # As a file of its own (the editor's view, an <img>), it needs its namespace.
    if "xmlns=" not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return svg


def chart_spec(results: dict, truncated: bool = False) -> tuple[str, dict]:
    """The title and the Vega-Lite spec of a SELECT answer's chart, or NotChartable."""
    if "results" not in results:
        raise NotChartable("only a SELECT answer can be charted")
    names = results.get("head", {}).get("vars", [])
    rows = results["results"]["bindings"]
    if not rows:
        raise NotChartable("the answer is empty: there is nothing to chart")
    if truncated or len(rows) > MOST_POINTS:
        raise NotChartable(
            f"the answer has more than {MOST_POINTS:,} rows, too many to chart: add a LIMIT"
        )
    if len(names) < 2:
        raise NotChartable("a chart needs two variables: the first for x, and one of numbers")
    x = names[0]
    y = next((n for n in names[1:] if all(_number(row.get(n)) for row in rows)), None)
    if y is None:
        raise NotChartable(
            "no variable after the first holds a number in every row: there is nothing to chart"
        )
    colour = next(
        (
            n
            for n in names[1:]
            if n != y
            and all(n in row for row in rows)
            and len({row[n]["value"] for row in rows}) <= MOST_COLOURS
        ),
        None,
    )
    times = {row[x].get("datatype") for row in rows if x in row}
    temporal = len(times) == 1 and next(iter(times)) in TIMES and all(x in row for row in rows)
    points = [
        {
            "x": TIMES[row[x]["datatype"]](row[x]["value"]) if temporal else _label(row.get(x)),
            "y": float(row[y]["value"]),
            **({"colour": _label(row[colour])} if colour else {}),
        }
        for row in rows
    ]
    colour_channel = (
        {"field": "colour", "type": "nominal", "title": colour, "scale": {"range": charts.PALETTE}}
        if colour
        else {"value": charts.ACCENT}
    )
    value_axis = {"field": "y", "type": "quantitative", "title": y}
    if temporal:
        month = next(iter(times)) == XSD + "gYearMonth"
        year = next(iter(times)) == XSD + "gYear"
        spec = {
            "mark": {"type": "line", "point": len(points) <= 100, "strokeWidth": 2},
            "encoding": {
                "x": {
                    "field": "x",
                    "type": "temporal",
                    "title": x,
                    "scale": {"type": "utc"},
                    "axis": {"format": "%Y" if year or month else "%Y-%m-%d", "grid": False},
                },
                "y": value_axis,
                "color": colour_channel,
            },
        }
        title = f"{y} by {x}, as a line"
    else:
        spec = {
            "height": {"step": 18},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {
                    "field": "x",
                    "type": "nominal",
                    "sort": None,  # the answer's order: its ORDER BY
                    "title": x,
                    "axis": {"labelLimit": 130},
                },
                "x": {**value_axis, "axis": {"orient": "top", "tickCount": 4}},
                "color": colour_channel,
            },
        }
        title = f"{y} by {x}, as bars"
    if colour:
        title += f", coloured by {colour}"
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": charts.PLOT_WIDTH - (0 if temporal else 90),
        **({"height": charts.PLOT_HEIGHT} if temporal else {}),
        "data": {"values": points},
        **spec,
        "config": charts.CONFIG,
    }
    return title, spec


def _number(term: dict | None) -> bool:
    if term is None or term.get("type") not in ("literal", "typed-literal"):
        return False
    if term.get("datatype") not in NUMBERS:
        return False
    try:
        float(term["value"])
    except ValueError:
        return False
    return True


def _label(term: dict | None) -> str:
    """A value as a label: an IRI by its last part, which tells the rows apart."""
    if term is None:
        return "(none)"
    value = term["value"]
    if term.get("type") == "uri":
        return value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or value
    return value
