"""Which host names the server answers to, and what a forwarded prefix may be.

The server writes its own address into the service description, the query base and the pages'
links, from the request's Host (or, behind a trusted proxy, X-Forwarded-Host). Answering any
Host would let a client, or a cache in between, plant a foreign address there; so a request
for a host not in ALLOWED_HOSTS gets 400, as in Django. The entries: a name or an address
(`example.org`, `127.0.0.1`, `[::1]`), `.example.org` for the domain and its subdomains, or
`*` for any. (Werkzeug's own check, behind Flask's TRUSTED_HOSTS, compares names case by case
and cannot match an IPv6 address.)

X-Forwarded-Prefix becomes the path under which every link is written: it must be a path
(`/nap`), never `//evil.example`, which a browser reads as another host.
"""

from __future__ import annotations

import re

_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]/\\@\s]+)(?::(\d{1,5}))?")
# Segments of path characters (RFC 3986 pchar); no empty segment, so never `//`.
_PREFIX = re.compile(r"(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+)*")


def parse_allowed(value) -> list[str]:
    """The setting as a list: from a list, or from names separated by spaces or commas."""
    names = value if isinstance(value, (list, tuple)) else re.split(r"[\s,]+", str(value))
    return [name.strip().lower().rstrip(".") for name in names if name.strip()]


def host_name(host: str) -> str | None:
    """The name in a Host header (`Example.org:8080` gives `example.org`), or None if it is
    not one."""
    match = _HOST.fullmatch(host.strip())
    if match is None or (match[2] and not 0 < int(match[2]) < 65536):
        return None
    return match[1].lower().rstrip(".")


def host_allowed(host: str, allowed: list[str]) -> bool:
    name = host_name(host)
    if name is None:
        return False
    for entry in allowed:
        if entry == "*" or entry == name:
            return True
        if entry.startswith(".") and (name == entry[1:] or name.endswith(entry)):
            return True
    return False


def prefix_is_a_path(prefix: str) -> bool:
    """Whether a script root (from X-Forwarded-Prefix) is a path on this host."""
    return _PREFIX.fullmatch(prefix) is not None


def allowed_hosts(config) -> list[str]:
    """The hosts this server answers for: ALLOWED_HOSTS, and the address it listens on."""
    allowed = parse_allowed(config["ALLOWED_HOSTS"])
    listening = config.get("LISTEN_HOST")  # `serve --host`: the address it listens on
    if listening and listening not in ("0.0.0.0", "::"):
        allowed.append(f"[{listening}]" if ":" in listening else listening.lower())
    return allowed
