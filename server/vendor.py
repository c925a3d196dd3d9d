"""Front-end files from npm packages, served by us so that no page loads anything from a CDN.

Only the files named here are served; `npm ci` installs them from package-lock.json.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("vendor", __name__)

# name in the URL -> (folder inside node_modules, files served)
PACKAGES = {
    "yasgui": ("@zazuko/yasgui/build", {"yasgui.min.js", "yasgui.min.css"}),
}


def package_folder(name: str) -> Path:
    return Path(current_app.config["NODE_MODULES"]) / PACKAGES[name][0]


def available(name: str) -> bool:
    """Whether every file of the package is installed."""
    folder = package_folder(name)
    return all((folder / f).is_file() for f in PACKAGES[name][1])


@bp.route("/vendor/<name>/<filename>")
def file(name: str, filename: str):
    if name not in PACKAGES or filename not in PACKAGES[name][1] or not available(name):
        abort(404)
    # The version is pinned in package-lock.json; a day's caching keeps upgrades visible.
    return send_from_directory(package_folder(name), filename, max_age=86400)
