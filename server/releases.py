"""The releases: each with its version, date, downloads and what changed, as pages and CSV."""

from __future__ import annotations

import csv
from collections import Counter

from flask import Blueprint, render_template, url_for

from nap_graph import releases
from nap_graph.errors import UnknownResource
from server.render import wants_json
from server.store_access import served

bp = Blueprint("releases", __name__)
# Changes listed one by one on a release's page; the CSV has them all.
LISTED = 500


def _read(path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _download(relative: str) -> str:
    return url_for("downloads.download", name=relative)


@bp.route("/releases/")
def index():
    """Every release recorded by the build served, newest first."""
    rows = list(reversed(releases.read_index(served().build_dir)))
    if wants_json():
        return {"releases": [r.row() for r in rows]}
    return render_template(
        "releases.html",
        releases=rows,
        index_csv=_download(releases.INDEX) if rows else None,
    )


@bp.route("/releases/<version>")
def release(version: str):
    """One release: its date, the release it revises, its graph, and what changed."""
    found = {r.version: r for r in releases.read_index(served().build_dir)}
    if version not in found:
        raise UnknownResource(f"no release {version!r} is recorded by this build")
    folder = served().build_dir / releases.DIR / version
    changes = _read(folder / releases.CHANGES)
    graphs = _read(folder / releases.GRAPHS)
    files = {
        name: _download(f"{releases.DIR}/{version}/{name}")
        for name in (releases.DATA, releases.CHANGES, releases.GRAPHS)
        if (folder / name).is_file()
    }
    if wants_json():
        return {**found[version].row(), "graphs": graphs, "changes": changes, "files": files}
    summary = Counter((c["kind"], c["change"]) for c in changes)
    return render_template(
        "release.html",
        release=found[version],
        graphs=graphs,
        changes=changes[:LISTED],
        total=len(changes),
        summary=sorted(summary.items()),
        files=files,
    )
