"""The researcher's guide (docs/guide.md) as a page of the site, and its picture of the model.

The Markdown is the project's file, rendered by markdown-it-py: its recipes get this
server's address instead of the placeholder, its picture is served from here, and links to
the other documents of docs/, which the site does not publish, keep their words only.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Blueprint, render_template, send_file, url_for
from markdown_it import MarkdownIt

from nap_graph.errors import UnknownResource
from nap_graph.settings import PROJECT_ROOT
from server.render import external_url

bp = Blueprint("guide", __name__)
DOCS = PROJECT_ROOT / "docs"
GUIDE, PICTURE = DOCS / "guide.md", DOCS / "model.svg"
# The address the recipes are written against: `./dev serve`'s.
PLACEHOLDER = "http://127.0.0.1:5000"


@bp.route("/guide")
def guide():
    """The guide, with the recipes written against this server."""
    if not GUIDE.is_file():
        raise UnknownResource("this installation has no guide (docs/guide.md)")
    body = _html(GUIDE, GUIDE.stat().st_mtime_ns)
    body = body.replace(_BASE_MARK, external_url("site.home").rstrip("/"))
    return render_template("guide.html", body=body.replace(_PICTURE_MARK, url_for("guide.model")))


@bp.route("/guide/model.svg")
def model():
    """The picture of the model, as the project draws it (docs/model_svg.py)."""
    if not PICTURE.is_file():
        raise UnknownResource("this installation has no picture of the model")
    return send_file(PICTURE, mimetype="image/svg+xml", max_age=3600)


# Stand for this server's address and the picture's until a request gives them (the HTML
# is rendered once, for any request).
_BASE_MARK, _PICTURE_MARK = "\x00base\x00", "\x00picture\x00"


@functools.lru_cache(maxsize=2)
def _html(path: Path, mtime_ns: int) -> str:
    """Render the Markdown once per version of the file."""
    md = MarkdownIt("commonmark").enable("table")
    fence = md.renderer.rules["fence"]

    def focusable_fence(self, tokens, idx, options, env):
        # A block that scrolls sideways can be reached by keyboard (axe's rule).
        return fence(tokens, idx, options, env).replace("<pre>", '<pre tabindex="0">', 1)

    md.add_render_rule("fence", focusable_fence)
    tokens = md.parse(path.read_text(encoding="utf-8"))
    _adapt(tokens)
    return md.renderer.render(tokens, md.options, {})


def _adapt(tokens) -> None:
    """Make the page work as the site's: the recipes name this server, table cells carry their column's name (the phone layout shows it), the picture comes
    from this server, and links to other documents lose their address."""
    headers: list[str] = []
    column = 0
    for i, token in enumerate(tokens):
        if token.type == "fence":  # the recipes, not the words about them
            token.content = token.content.replace(PLACEHOLDER, _BASE_MARK)
        elif token.type == "thead_open":
            headers = []
        elif token.type == "th_open":
            headers.append(tokens[i + 1].content)
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(headers):
                token.attrSet("data-label", headers[column])
            column += 1
        elif token.type == "inline" and token.children:
            token.children = _inline(token.children)


def _inline(children):
    kept, dropping = [], 0
    for child in children:
        if child.type == "image" and child.attrGet("src") == PICTURE.name:
            child.attrSet("src", _PICTURE_MARK)
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href == PICTURE.name:
                child.attrSet("href", _PICTURE_MARK)
            if ".md" in href and "://" not in href:
                dropping += 1
                continue
        if child.type == "link_close" and dropping:
            dropping -= 1
            continue
        kept.append(child)
    return kept
