"""Mint the IRIs of the graph: stable, readable, derived from codes and never from row numbers."""

from __future__ import annotations

import hashlib
import re

DEFAULT_BASE_IRI = "https://w3id.org/nap-graph/"


def slug(text: str) -> str:
    """Return a lower-case, hyphenated form of a name for use in an IRI."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


class Iris:
    """The IRI scheme under one base: data under `id/`, named graphs under `graph/`."""

    def __init__(self, base: str = DEFAULT_BASE_IRI, public: str | None = None):
        self.base = base if base.endswith("/") else base + "/"
        self.id = self.base + "id/"
        # Where a deployment answers (PUBLIC_URL): its endpoint and downloads are addresses
        # to fetch, not names, and live there, whatever base the IRIs have.
        public = public or self.base
        self.public = public if public.endswith("/") else public + "/"

    def country(self, iso3: str) -> str:
        return f"{self.id}country/{iso3}"

    def country_status(self, iso3: str) -> str:
        return f"{self.country(iso3)}/nap-status"

    def region(self, name: str) -> str:
        return f"{self.id}region/{slug(name)}"

    def plan(self, iso3: str, key: str) -> str:
        return f"{self.id}plan/{iso3}/{key}"

    def focus_area(self, iso3: str, key: str, position: int) -> str:
        return f"{self.plan(iso3, key)}/focus-area/{position}"

    def claim(self, parent: str, claim_id: str) -> str:
        return f"{parent}/claim/{claim_id}"

    def reconciliation(self, parent: str, prop: str) -> str:
        return f"{parent}/reconciliation/{slug(prop)}"

    def context(self, iso3: str, key: str | None) -> str:
        return f"{self.plan(iso3, key)}/context" if key else f"{self.country(iso3)}/context"

    def mission(self, acronym: str) -> str:
        return f"{self.id}mission/{acronym}"

    def dataset(self, name: str) -> str:
        return f"{self.id}dataset/{name}"

    def observation(self, dataset: str, *parts: str) -> str:
        return f"{self.id}observation/{dataset}/" + "/".join(parts)

    def slice(self, dataset: str, dimension: str, value: str) -> str:
        """A slice of a dataset that fixes one dimension: `dimension` is `country` (the
        contributor, `value` its ISO3 code) or `mission` (`value` its acronym)."""
        return f"{self.id}slice/{dataset}/{dimension}/{value}"

    def source(self, source_id: str) -> str:
        return f"{self.id}source/{source_id}"

    def agent(self, name: str) -> str:
        return f"{self.id}agent/{slug(name)}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def distribution(self, name: str) -> str:
        return f"{self.dataset('nap-graph')}/distribution/{name}"

    def download(self, filename: str) -> str:
        return f"{self.public}download/{filename}"

    def endpoint(self) -> str:
        return f"{self.public}sparql"
