"""Small multiples drawn on the server as SVG: per region, its countries with a plan each year.

One small chart per region on one scale, so that regions compare at a glance, each at its own
size (never scaled down below 12-pixel labels); the table beside them holds every figure.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

WIDTH, HEIGHT = 170, 132
LEFT, RIGHT, TOP, BOTTOM = 38, 6, 10, 36


def region_svg(
    chart_id: str, region: str, years: list[int], in_force: list[int], adopted: list[int], top: int
) -> str:
    """Bars per year: countries that had adopted a plan by then (light), those with one in
    force (dark), on a y scale from 0 to `top` shared by every region."""
    top = max(top, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / len(years)

    def y(value: int) -> float:
        return TOP + plot_h - value / top * plot_h

    title = (
        f"{region}: countries with a plan in force, {in_force[0]} in {years[0]} and "
        f"{in_force[-1]} in {years[-1]}; {adopted[-1]} had adopted one by {years[-1]}"
    )
    parts = [
        f'<svg class="multiple" id="{chart_id}" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for tick in sorted({0, top // 2, top}):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, (force, had) in enumerate(zip(in_force, adopted, strict=True)):
        x = LEFT + i * step + 0.5
        if had:
            parts.append(
                f'<rect class="adopted" x="{x:.1f}" y="{y(had):.1f}" width="{step - 1:.1f}"'
                f' height="{y(0) - y(had):.1f}"/>'
            )
        if force:
            parts.append(
                f'<rect class="in-force" x="{x:.1f}" y="{y(force):.1f}" width="{step - 1:.1f}"'
                f' height="{y(0) - y(force):.1f}"/>'
            )
    base = y(0)
    parts.append(f'<line class="base" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    parts.append(f'<text class="axis" x="{LEFT}" y="{base + 15}">{years[0]}</text>')
    parts.append(
        f'<text class="axis" x="{WIDTH - RIGHT}" y="{base + 15}" text-anchor="end">{years[-1]}</text>'
    )
    parts.append(
        f'<text class="axis-title" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}"'
        ' text-anchor="middle">year</text>'
    )
    parts.append(
        f'<text class="axis-title" transform="translate(12 {TOP + plot_h / 2:.1f}) rotate(-90)"'
        ' text-anchor="middle">countries</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
