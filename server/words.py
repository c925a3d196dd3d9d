"""Words of the pages that depend on what they name: a country's possessive, a disputed value.

Registered as Jinja filters and globals in create_app, so that templates say "the
Netherlands' plans" and "Sources differ on the adoption year" for every name and property.
"""

from __future__ import annotations

# English names that take "the" in a sentence ("the Netherlands' plans"), beyond the kinds
# that always do (see takes_the): the plural names and a few others, as style guides use them.
NAMES_WITH_THE = {
    "Bahamas",
    "Comoros",
    "DR Congo",
    "Gambia",
    "Isle of Man",
    "Maldives",
    "Netherlands",
    "Philippines",
    "Seychelles",
    "Vatican",
}
_KINDS_WITH_THE = ("Republic", "Islands", "Is.", "Emirates", "Territory")

# The value a dispute is about, by the local name of the property disputed: a noun for the
# sentence "Sources differ on the ...", where the property's label ("adopted in") is no noun.
DISPUTED_VALUES = {
    "edition": "edition",
    "adoptedYear": "adoption year",
    "startYear": "start year",
    "endYear": "end year",
    "extendedEndYear": "year the period was extended to",
    "status": "plan's status",
    "title": "title",
}


def takes_the(name: str) -> bool:
    """Whether a country's English name takes "the" in a sentence."""
    return name in NAMES_WITH_THE or name.startswith("United ") or name.endswith(_KINDS_WITH_THE)


def in_sentence(name: str, start: bool = False) -> str:
    """Return a country's name as a sentence names it: "Norway", "the Netherlands"."""
    if takes_the(name):
        return ("The " if start else "the ") + name
    return name


def possessive(name: str, start: bool = False) -> str:
    """Return a country's name as a possessive in a sentence: "Norway's", "the Netherlands'".

    A name ending in s takes an apostrophe alone; `start` capitalises a leading "the".
    """
    return in_sentence(name, start) + ("'" if name.endswith("s") else "'s")


def disputed_value(dispute: dict) -> str:
    """Return the noun for what a dispute is about, from its property: "adoption year"."""
    local = dispute["property"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return DISPUTED_VALUES.get(local) or dispute.get("label") or local
