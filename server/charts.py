"""Charts drawn on the server as SVG, so that they need no JavaScript; each has a table beside it."""

from __future__ import annotations

from xml.sax.saxutils import escape

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def share_chart(
    chart_id: str,
    title: str,
    series: list[tuple[str, float | None]],
    targets: dict[int, float],
    first: str,
    last: str,
) -> str:
    """Return an SVG line chart of the share of women per month, with the targets dashed.

    The strategy's final target is a line across the chart; a target set for one year is a
    dash over that year. Months without personnel, or whose share is unknown or withheld,
    leave a gap in the line rather than a fall to zero.
    """
    months = _months_between(first, last)
    index = {m: i for i, m in enumerate(months)}
    shares = {m: share for m, share in series if share is not None}
    final_year = max(targets) if targets else None
    target = targets.get(final_year) if final_year else None
    top = max([*shares.values(), *targets.values(), 0.1])
    top = min(1.0, (int(top * 10) + 1) / 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month: str) -> float:
        return LEFT + (index[month] / max(1, len(months) - 1)) * plot_w

    def y(share: float) -> float:
        return TOP + plot_h - share / top * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for step in range(0, int(round(top * 10)) + 1):
        share = step / 10
        if step % 2 and top > 0.3:
            continue
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(share):.1f}" y2="{y(share):.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(share) + 4:.1f}" class="axis" text-anchor="end">{share:.0%}</text>'
        )
    # A label at each January in range, thinned to about six.
    januaries = [m for m in months if m.endswith("-01")]
    for month in januaries[:: max(1, round(len(januaries) / 6))]:
        parts.append(
            f'<text x="{x(month):.1f}" y="{HEIGHT - 8}" class="axis" text-anchor="middle">{month[:4]}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target):.1f}" y2="{y(target):.1f}" class="target"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{y(target) - 4:.1f}" class="target-label" '
            f'text-anchor="end">{final_year} target {target:.0%}</text>'
        )
    for year, share in sorted(targets.items()):
        inside = [m for m in months if m.startswith(f"{year}-")]
        if year == final_year or not inside:
            continue
        x1, x2 = x(inside[0]), x(inside[-1])
        parts.append(
            f'<line x1="{x1:.1f}" x2="{max(x2, x1 + 4):.1f}" y1="{y(share):.1f}" y2="{y(share):.1f}" '
            f'class="target year-target"><title>{year} target {share:.0%}</title></line>'
        )
    # One polyline per run of consecutive months with personnel.
    run: list[str] = []
    for month in months:
        if month in shares:
            run.append(f"{x(month):.1f},{y(shares[month]):.1f}")
        elif run:
            parts.append(_line(run))
            run = []
    if run:
        parts.append(_line(run))
    parts.append("</svg>")
    return "".join(parts)


def _line(points: list[str]) -> str:
    if len(points) == 1:
        px, py = points[0].split(",")
        return f'<circle cx="{px}" cy="{py}" r="2.5" class="share"/>'
    return f'<polyline points="{" ".join(points)}" class="share"/>'
