"""Charts drawn on the server as SVG with Vega-Lite (vl-convert), so that they need no
JavaScript; each has a table beside it, which holds every figure the chart shows.

The charts are drawn about as wide as a phone's screen and scaled to the page's width by
their viewBox: their 13 px labels stay 12 px or more on a 390 px screen. A rendered SVG is
kept per served build (`served().cache`), so a page spends vl-convert's time once.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from xml.sax.saxutils import escape, quoteattr

import vl_convert as vlc

from server.store_access import served

# Fewer personnel than this in a category and month: one person moves the share by 10
# points or more, so the point is drawn hollow.
SMALL = 10
PLOT_WIDTH, PLOT_HEIGHT = 290, 150
FONT = 13
# Rendered charts kept per build; the compare page's choices are the visitors', so the
# cache is bounded.
CACHED = 512
ACCENT, TARGET = "#1f5f99", "#b03a2e"
# Colours of the lines of the compare page, told apart by shape too where they overlap.
PALETTE = ["#1f5f99", "#d95f02", "#1b9e77", "#7570b3", "#a6761d", "#e7298a", "#525252", "#66a61e"]
CONFIG = {
    "font": "sans-serif",
    "axis": {"labelFontSize": FONT, "titleFontSize": FONT, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": FONT, "titleFontSize": FONT, "orient": "bottom", "columns": 2},
    "text": {"fontSize": FONT},
    "view": {"stroke": None},
}
_lock = threading.Lock()


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _date(month: str) -> str:
    return f"{month}-01"


def shared_top(shares: list[float | None], targets: list[float]) -> float:
    """The top of the one y scale of a set of charts: the next 10 % above every share and
    target, so that charts side by side compare at a glance."""
    top = max([s for s in shares if s is not None] + list(targets) + [0.1])
    return min(1.0, (int(round(top * 100)) // 10 + 1) / 10)


def counts(women: int, total: int, share: float) -> str:
    """Women of all, in words: "1 woman of 9 personnel (11%)"."""
    return f"{women} {'woman' if women == 1 else 'women'} of {total} personnel ({share:.0%})"


def describe(series: str, month) -> str:
    """The words of one point, shown on hover: the counts behind the share."""
    text = f"{series}, {month.month}: {counts(month.women, month.total, month.share)}"
    return text + (f"; fewer than {SMALL} personnel" if month.total < SMALL else "")


def share_chart(
    chart_id: str,
    title: str,
    lines: dict[str, list],
    targets: dict[int, float],
    first: str,
    last: str,
    top: float,
) -> str:
    """Return an SVG chart of the share of women per month, one line per series (a category
    of one country, or one country in a category), with the targets of the category.

    `lines` maps a series' name to its months (objects with month, women, total, share).
    Months without personnel, or whose share is unknown or withheld, leave a gap in the line
    rather than a fall to zero; a month with fewer than SMALL personnel is a hollow point.
    A target is a step over the year it was set for; the strategy's final target, when it
    lies beyond the months charted, is a dashed line across the chart.
    """
    months = _months_between(first, last)
    points = []
    for series, values in lines.items():
        known = {m.month: m for m in values}
        for month in months:
            m = known.get(month)
            share = m.share if m is not None else None
            points.append(
                {
                    "month": _date(month),
                    "series": series,
                    "share": share,
                    "small": m is not None and share is not None and m.total < SMALL,
                    "text": describe(series, m) if share is not None else None,
                }
            )
    several = len(lines) > 1
    colour = (
        {
            "field": "series",
            "type": "nominal",
            "title": None,
            "scale": {"domain": list(lines), "range": PALETTE[: len(lines)]},
        }
        if several
        else {"value": ACCENT}
    )
    x = {
        "field": "month",
        "type": "temporal",
        "title": "Month (counted at its end)",
        "scale": {"type": "utc", "domain": [_date(first), _date(last)]},
        "axis": {"format": "%Y", "values": _year_ticks(first, last), "grid": False},
    }
    y = {
        "field": "share",
        "type": "quantitative",
        "title": "Share of women",
        "scale": {"domain": [0, top], "nice": False},
        "axis": {"format": ".0%", "tickCount": 5},
    }
    layers = _target_layers(targets, first, last, x, y)
    layers += [
        {
            "mark": {"type": "line", "strokeWidth": 2, "aria": False},
            "encoding": {"x": x, "y": y, "color": colour, "detail": {"field": "series"}},
        },
        {
            "transform": [{"filter": "datum.share != null && !datum.small"}],
            "mark": {"type": "point", "filled": True, "size": 14, "opacity": 1},
            "encoding": {"x": x, "y": y, "color": colour, "description": {"field": "text"}},
        },
        {
            "transform": [{"filter": "datum.small"}],
            "mark": {
                "type": "point",
                "filled": False,
                "size": 40,
                "strokeWidth": 1.5,
                "opacity": 1,
            },
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "fill": {"value": "white"},
                "description": {"field": "text"},
            },
        },
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": PLOT_WIDTH,
        "height": PLOT_HEIGHT,
        "data": {"values": points},
        "layer": layers,
        "config": CONFIG,
    }
    return render(chart_id, title, spec)


def _year_ticks(first: str, last: str) -> list[dict]:
    """About five January ticks: a label every few years."""
    years = list(range(int(first[:4]) + (first[5:7] != "01"), int(last[:4]) + 1))
    step = max(1, -(-len(years) // 5))
    return [{"year": year, "month": 1, "utc": True} for year in years[::step]]


def _target_layers(
    targets: dict[int, float], first: str, last: str, x: dict, y: dict
) -> list[dict]:
    """The targets: a step over each year charted that has one, and the final target."""
    if not targets:
        return []
    steps = []
    for year, share in sorted(targets.items()):
        if int(first[:4]) <= year <= int(last[:4]):
            start, end = max(_date(first), f"{year}-01-01"), min(_date(last), f"{year}-12-01")
            words = f"Target for {year}: {share:.0%} women"
            steps += [
                {"month": start, "share": share, "text": words},
                {"month": end, "share": share, "text": words},
                {"month": end, "share": None, "text": None},  # no step to the next target
            ]
    layers = []
    if steps:
        layers.append(
            {
                "data": {"values": steps},
                "mark": {
                    "type": "line",
                    "interpolate": "step-after",
                    "color": TARGET,
                    "strokeWidth": 4,
                },
                "encoding": {"x": x, "y": y, "description": {"field": "text"}},
            }
        )
    final = max(targets)
    if final > int(last[:4]):
        share = targets[final]
        layers += [
            {
                "data": {"values": [{"share": share}]},
                "mark": {"type": "rule", "color": TARGET, "strokeDash": [6, 4], "aria": False},
                "encoding": {"y": y},
            },
            {
                "data": {"values": [{"share": share, "label": f"{final} target {share:.0%}"}]},
                "mark": {
                    "type": "text",
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -3,
                    "color": TARGET,
                    "aria": False,
                },
                "encoding": {
                    "y": y,
                    "x": {"value": PLOT_WIDTH},
                    "text": {"field": "label"},
                },
            },
        ]
    return layers


def bar_chart(chart_id: str, title: str, bars: list[dict], axis_title: str) -> str:
    """Return an SVG bar chart of shares, one bar a row in the order given.

    `bars` are dicts with label, share, women and total; a bar of fewer than SMALL personnel
    is drawn as an outline.
    """
    values = [
        {
            **bar,
            "small": bar["total"] < SMALL,
            "text": f"{bar['label']}: {counts(bar['women'], bar['total'], bar['share'])}"
            + (f"; fewer than {SMALL}" if bar["total"] < SMALL else ""),
        }
        for bar in bars
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": PLOT_WIDTH - 90,
        "height": {"step": 18},
        "data": {"values": values},
        "mark": {"type": "bar", "strokeWidth": 1.5},
        "encoding": {
            "y": {
                "field": "label",
                "type": "nominal",
                "sort": None,
                "title": None,
                "axis": {"labelLimit": 130},
            },
            "x": {
                "field": "share",
                "type": "quantitative",
                "title": axis_title,
                "scale": {"domain": [0, shared_top([b["share"] for b in bars], [])]},
                "axis": {"format": ".0%", "tickCount": 4, "orient": "top"},
            },
            "fill": {"condition": {"test": "datum.small", "value": "white"}, "value": ACCENT},
            "stroke": {"value": ACCENT},
            "description": {"field": "text"},
        },
        "config": CONFIG,
    }
    return render(chart_id, title, spec)


# ------------------------------------------------------------------ rendering


def render(chart_id: str, title: str, spec: dict) -> str:
    """Render a spec as an inline SVG, once per build: from the build's cache after that."""
    key = hashlib.sha256(json.dumps([chart_id, title, spec], sort_keys=True).encode()).hexdigest()
    cache = served().cache.setdefault("charts", OrderedDict())
    with _lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    svg = _inline(vlc.vegalite_to_svg(spec), chart_id, title)
    with _lock:
        cache[key] = svg
        while len(cache) > CACHED:
            cache.popitem(last=False)
    return svg


# Vega names an empty layer (no small denominators, say) a graphics symbol with no name.
_EMPTY = re.compile(r'<g class="([^"]*)" role="graphics-symbol" aria-roledescription="[^"]*"/>')
_POINT = re.compile(r'<path aria-label="([^"]*)" role="graphics-symbol"([^>]*?)/>')


def _inline(svg: str, chart_id: str, title: str) -> str:
    """Make vl-convert's SVG one to inline in a page: scaled by its viewBox, named by a
    title, and each point's words (Vega's aria-label, which it gives no hover text) as the
    point's <title>, which browsers show on hover."""
    svg = _POINT.sub(r"<path\2><title>\1</title></path>", svg)
    svg = _EMPTY.sub(r'<g class="\1" aria-hidden="true"/>', svg)
    head, _, rest = svg.partition(">")
    head = re.sub(r' (width|height)="[^"]*"', "", head)
    head = head.replace('class="marks"', f'class="chart" id={quoteattr(chart_id)}')
    return (
        f'{head} role="img" aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{rest}'
    )
