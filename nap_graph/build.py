"""Build the graph: sources -> records -> quads -> validation -> dumps.

`assemble` does everything but writing; `build` writes the dumps only when the data
conforms, so that a failed build leaves the previous dumps in place.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from nap_graph import csvw, dump, formats, jsonld, releases, search
from nap_graph.canonical import canonicalize
from nap_graph.country_status import CountryStatus, country_statuses
from nap_graph.errors import DataInvalid, NapGraphError
from nap_graph.graph import GraphBuilder, Quads, Source
from nap_graph.iris import Iris
from nap_graph.namespaces import DCAT
from nap_graph.progress import Progress
from nap_graph.reconcile import Naps, reconcile
from nap_graph.settings import PROJECT_ROOT as PROJECT_ROOT  # where it was first: tests import it
from nap_graph.settings import default_of, value_of
from nap_graph.sources import peacekeeping as pk
from nap_graph.sources.countries import Alias, Country, read_aliases, read_countries
from nap_graph.sources.naps import read_nap_sources
from nap_graph.sources.records import ErrorCollector, ImportReport, Origin, read_csv
from nap_graph.validate import Report, load_shapes, validate_store
from nap_graph.vocabulary import ONTOLOGY_FILE, SHAPES_FILE, Vocabulary
from nap_graph.void import LICENSE, RIGHTS, TITLE, Description, describe_files, sources_by_country

log = logging.getLogger(__name__)
SOURCES_FILE = "sources.csv"
# Sources of the statistics by mission, the first winning each month they cover.
BY_MISSION_PRECEDENCE = (
    "un-odp-contributions-by-gender",
    "un-dpo-monthly-reports",
    "ipi-tcc-gender",
    "ipi-ppp-update-archive",
    "ipi-ppp-gender",
)


@dataclass
class Settings:
    """Where the build reads and writes, and the base of the IRIs it mints.

    Each field is a setting of nap_graph/settings.py, which holds their defaults and variables.
    `out_dir` is the BUILD_DIR setting: the field keeps its older name, which some 100 lines of
    the modules and tests use.
    """

    data_dir: Path = default_of("DATA_DIR")
    ontology_dir: Path = default_of("ONTOLOGY_DIR")
    out_dir: Path = default_of("BUILD_DIR")
    base_iri: str = default_of("BASE_IRI")
    public_url: str = default_of("PUBLIC_URL")

    FIELDS: ClassVar[dict[str, str]] = {
        "data_dir": "DATA_DIR",
        "ontology_dir": "ONTOLOGY_DIR",
        "out_dir": "BUILD_DIR",
        "base_iri": "BASE_IRI",
        "public_url": "PUBLIC_URL",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Return settings from their environment variables, then explicit overrides."""
        values = {field: value_of(name, environ) for field, name in cls.FIELDS.items()}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("data_dir", "ontology_dir", "out_dir"):
            values[name] = Path(values[name])
        return cls(**values)


@dataclass
class Built:
    """Everything a build made, before or after writing."""

    settings: Settings
    quads: Quads
    nquads: bytes  # sorted N-Quads: the store's content and the N-Quads dump
    store: ox.Store
    report: Report | None  # None until validated
    imports: ImportReport
    countries: dict[str, Country]
    naps: Naps
    statuses: dict[str, CountryStatus]
    peacekeeping: pk.Peacekeeping
    sources: list[Source]
    timings: dict[str, float] = field(default_factory=dict)
    build_time: str = field(default_factory=lambda: current_build_time())
    aliases: dict[str, tuple[Alias, ...]] = field(default_factory=dict)  # other names, for search

    @property
    def triple_count(self) -> int:
        return len(self.store)


def current_build_time() -> str:
    """Return the build time, from SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = value_of("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


@contextmanager
def _timed(timings: dict, name: str):
    start = time.perf_counter()
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def read_sources(data_dir: Path, errors: ErrorCollector, report: ImportReport) -> list[Source]:
    """Read data/sources.csv, the register of the source datasets."""
    sources = []
    columns = [
        "id",
        "title",
        "publisher",
        "landing_page",
        "license",
        "rights",
        "retrieved_from",
        "files",
        "note",
    ]
    for row in read_csv(data_dir / SOURCES_FILE, data_dir, errors, columns, ("id",)):
        report.read[row.origin.file] += 1
        values = {c: row.text(c) for c in columns}
        for required in ("id", "title", "publisher", "files"):
            row.text(required, required=True)
        values["landing_page"] = row.iri("landing_page")
        values["license"] = row.iri("license")
        if values["id"] and values["title"] and values["publisher"] and values["files"]:
            sources.append(Source(**values, origin=row.origin))
            report.kept[row.origin.file] += 1
    return sources


def import_peacekeeping(
    data_dir: Path, errors: ErrorCollector, report: ImportReport
) -> pk.Peacekeeping:
    """Read every peacekeeping source and merge the ones that overlap month by month."""
    missions: dict[str, pk.Mission] = {}
    dpo = pk.read_dpo_rows(data_dir, "un-dpo-monthly-reports", errors, report)
    readers = {
        "un-odp-contributions-by-gender": lambda: pk.read_odp_by_gender(
            data_dir, "un-odp-contributions-by-gender", errors, report
        ),
        "un-dpo-monthly-reports": lambda: dpo.by_mission,
        "ipi-tcc-gender": lambda: pk.read_ipi_csv(
            data_dir, pk.TCC_FILE, "ipi-tcc-gender", errors, report
        ),
        "ipi-ppp-update-archive": lambda: pk.read_ipi_json(
            data_dir, "ipi-ppp-update-archive", errors, report, missions
        ),
        "ipi-ppp-gender": lambda: pk.read_ipi_csv(
            data_dir, pk.PPP_FILE, "ipi-ppp-gender", errors, report
        ),
    }
    by_source = [(name, readers[name]()) for name in BY_MISSION_PRECEDENCE]
    by_mission, months = pk.merge_by_month(by_source, report, errors)
    for o in by_mission:
        if o.mission not in missions:
            missions[o.mission] = pk.Mission(o.mission, None, None, o.source)
    # The country totals of the ODP snapshots (all categories) and the DPO months without
    # a breakdown by mission (per category) have different keys, so both are kept.
    by_country = pk.read_odp_ranks(data_dir, "un-odp-contribution-ranks", errors, report)
    by_country = pk.unique_keys(by_country + dpo.by_country, errors)
    targets = pk.read_parity_targets(data_dir, errors, report)
    targets += pk.read_parity_targets(
        data_dir, errors, report, pk.YEARLY_TARGETS_FILE, "un-ugps-yearly-targets"
    )
    return pk.Peacekeeping(by_mission, by_country, missions, targets, months, dpo.headcounts)


def assemble(settings: Settings, progress: Progress | None = None, validate: bool = True) -> Built:
    """Import, reconcile, convert to RDF and load the store; validate unless told not to."""
    progress = progress or Progress()
    timings: dict[str, float] = {}
    errors, imports = ErrorCollector(), ImportReport()
    data_dir = settings.data_dir
    with progress.step("Reading sources"), _timed(timings, "import"):
        vocabulary = Vocabulary.load(settings.ontology_dir)
        sources = read_sources(data_dir, errors, imports)
        countries = read_countries(data_dir, errors, imports)
        aliases = read_aliases(data_dir, countries, errors, imports)
        nap_sources = read_nap_sources(data_dir, vocabulary.notations, errors, imports)
        naps = reconcile(nap_sources, errors, imports)
        statuses = country_statuses(naps, countries)
        peacekeeping = import_peacekeeping(data_dir, errors, imports)
        errors.raise_if_any()

    with progress.step("Making RDF"), _timed(timings, "rdf"):
        builder = GraphBuilder(Iris(settings.base_iri, settings.public_url), vocabulary)
        builder.add_vocabulary()
        known = {s.id for s in sources}
        used = {o.source for o in peacekeeping.by_mission} | {
            o.source for o in peacekeeping.by_country
        }
        used |= {h.source for h in peacekeeping.headcounts}
        used |= {target.dataset for target in peacekeeping.targets}
        used |= {"nap-graph-curation", "country-reference"}
        used |= {row.dataset for row in nap_sources.plan_claims + nap_sources.focus_claims}
        used |= {f.dataset for f in naps.figures} | {row.source for row in nap_sources.coverage}
        used |= {m.source for m in peacekeeping.missions.values()}
        for name in sorted(used - known):
            errors.add(
                Origin(f"{data_dir.name}/{SOURCES_FILE}"), "id", f"no source {name!r} is registered"
            )
        errors.raise_if_any()
        builder.add_sources(s for s in sources if s.id in used)
        builder.add_countries(countries)
        builder.add_naps(naps, countries)
        builder.add_country_statuses(statuses, countries)
        builder.add_datasets(
            {
                "contributions-by-mission": sorted({o.source for o in peacekeeping.by_mission}),
                "contributions-by-country": sorted({o.source for o in peacekeeping.by_country}),
                "headcounts-by-country": sorted({h.source for h in peacekeeping.headcounts}),
                "stated-contributions": sorted({f.dataset for f in naps.figures}),
                "parity-targets": sorted({target.dataset for target in peacekeeping.targets}),
            },
            {
                "contributions-by-mission": (o.month for o in peacekeeping.by_mission),
                "contributions-by-country": (o.month for o in peacekeeping.by_country),
                "headcounts-by-country": (h.month for h in peacekeeping.headcounts),
            },
        )
        builder.add_missions(peacekeeping.missions)
        builder.add_observations("contributions-by-mission", peacekeeping.by_mission)
        builder.add_observations("contributions-by-country", peacekeeping.by_country)
        builder.add_headcounts(peacekeeping.headcounts)
        builder.add_stated_figures(naps.figures)
        builder.add_parity_targets(peacekeeping.targets)
        # Last: each file's description of itself names the sources of the triples above.
        describe_files(builder.quads, {iso3: c.name for iso3, c in countries.items()})

    with progress.step("Loading the store"), _timed(timings, "store"):
        # Literals as Oxigraph gives them back ("0.20" as "0.2"): the dumps, written from
        # these quads, then agree with the endpoint (nap_graph/canonical.py).
        canonicalize(builder.quads)
        store = load_store(builder.quads)
        nquads = builder.quads.nquads()  # sorted by the thread load_store started

    for record in (
        *peacekeeping.by_mission,
        *peacekeeping.by_country,
        *peacekeeping.headcounts,
        *peacekeeping.targets,
        *naps.figures,
    ):
        imports.published[record.origin.file] += 1
    for claim in (
        naps.status_claims
        + naps.unassigned_focus
        + [
            c
            for plan in naps.plans.values()
            for c in plan.claims
            + plan.extension_claims
            + [x for a in plan.focus_areas for x in a.claims]
        ]
    ):
        imports.published[claim.row.origin.file] += 1
    built = Built(
        settings,
        builder.quads,
        nquads,
        store,
        None,
        imports,
        countries,
        naps,
        statuses,
        peacekeeping,
        sources,
        timings,
        aliases=aliases,
    )
    if validate:
        with _timed(timings, "validate"):
            built.report = run_validation(built, progress, threads=2)
    return built


def load_store(quads: Quads) -> ox.Store:
    """Load the quads into an in-memory Oxigraph store while another thread sorts them.

    The dumps need the quads sorted (`Quads.by_graph`, Python's sort, which holds the GIL);
    the store needs no order, and Oxigraph releases the GIL while it parses and indexes. Side
    by side on two cores the step takes the longer of the two rather than their sum, which
    matters at millions of triples, where each grows a little faster than the data (the sort
    as n log n, the store's indexes as they outgrow the processor's caches: docs/benchmarks.md).
    """
    store = ox.Store()
    with ThreadPoolExecutor(1) as pool:
        sorting = pool.submit(quads.by_graph)
        try:
            for (graph, _), lines in quads.parts.items():
                if lines:
                    end = f" <{quads.graphs[graph]}> .\n"
                    store.load((end.join(lines) + end).encode(), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            # The importers check what IRIs are made of; this catches what they missed.
            raise NapGraphError(f"the sources made a term that is not valid RDF: {exc}") from exc
        finally:
            sorting.result()
    return store


def run_validation(built: Built, progress: Progress, threads: int) -> Report:
    shapes = load_shapes(built.settings.ontology_dir)
    with progress.bar("Validating against the shapes") as bar:
        return validate_store(
            built.store, shapes, built.quads.origins, progress=bar, threads=threads
        )


def build(settings: Settings, progress: Progress | None = None) -> Built:
    """Build and validate the graph, and publish the dumps if and only if it conforms.

    Validation and the writing of the dumps run at the same time (Oxigraph and zlib release
    the GIL); the dumps go to a new folder that replaces the output folder only when the
    data conforms, so a failed build leaves the previous dumps as they were.
    """
    progress = progress or Progress()
    # Before reading the sources: a build that fails on them still puts the last one back.
    recover_build(settings.out_dir)
    built = assemble(settings, progress, validate=False)
    start = time.perf_counter()
    with dump.AtomicFolder(settings.out_dir) as out, ThreadPoolExecutor(1) as pool:
        validation = pool.submit(run_validation, built, progress, 1)
        try:
            write_outputs(built, out, progress)
        finally:
            built.report = validation.result()
        built.timings["validate+dump"] = time.perf_counter() - start
        if not built.report.conforms:
            raise DataInvalid(built.report)
        (out / dump.REPORTS_DIR / "validation.txt").write_text(built.report.text() + "\n")
    return built


def recover_build(out_dir: Path) -> bool:
    """Restore the previous build where a crash during the swap left no output folder.

    The swap renames the output folder to its backup, then the new folder to the output
    folder; between the two there is no output folder. Returns whether it restored one.
    """
    swap = dump.AtomicFolder(out_dir)
    if out_dir.exists() or not swap.old.is_dir():
        return False  # the common case, without waiting for a build that holds the lock
    with swap.lock():  # a build in the middle of its swap finishes it first
        restored = swap.recover()
    if restored:
        log.warning(
            "No build in %s, but the previous one in %s (a build stopped between the two "
            "renames of its swap): restored it",
            out_dir,
            swap.old,
        )
    return restored


def write_outputs(built: Built, out: Path, progress: Progress) -> None:
    """Write every dump into `out`."""
    settings = built.settings
    iris = Iris(settings.base_iri, settings.public_url)
    prefixes = dump.data_prefixes(iris)
    context = jsonld.write_context(out, settings.ontology_dir, prefixes)  # context.jsonld
    with progress.bar("Writing the whole graph", total=len(dump.WHOLE_GRAPH)) as advance:
        lines = built.quads.triples()
        ntriples = dump.ntriples(lines)
        dump.write_gzip(out / "nap-graph.nt.gz", ntriples)
        advance()
        triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        dump.write_rdf(out / "nap-graph.ttl", triples, ox.RdfFormat.TURTLE, prefixes)
        advance()
        dump.write_jsonld(out / "nap-graph.jsonld", lines, context)
        advance()
        dump.write_gzip(out / "nap-graph.nq.gz", built.nquads)
        advance()
        dump.write_rdf(
            out / "nap-graph.trig",
            ox.parse(built.nquads, format=ox.RdfFormat.N_QUADS),
            ox.RdfFormat.TRIG,
            prefixes,
        )
        advance()
    with progress.step("Recording the release and its changes"):
        release = releases.record(settings.out_dir, out, built.nquads, built.build_time)
    countries = built.quads.countries()
    (out / dump.COUNTRIES_DIR).mkdir()
    with progress.bar("Writing one file per country", total=len(countries)) as advance:
        for iso3 in countries:
            data = dump.ntriples(built.quads.triples(iso3))
            dump.write_rdf(
                out / dump.COUNTRIES_DIR / f"{iso3}.ttl",
                ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
                ox.RdfFormat.TURTLE,
                prefixes,
            )
            advance()
    (out / dump.ONTOLOGY_DIR).mkdir()
    for name in (ONTOLOGY_FILE, SHAPES_FILE):
        shutil.copyfile(settings.ontology_dir / name, out / dump.ONTOLOGY_DIR / name)
    with progress.step("Writing statistics and reports"):
        write_statistics(built, out / dump.STATISTICS_DIR)
        (out / dump.REPORTS_DIR).mkdir()
        write_table(
            built,
            out / dump.REPORTS_DIR / "import-report.csv",
            built.imports.as_rows(),
            described_sources(built),
        )
    with progress.step("Writing the search index"):
        search.write_index(
            out / search.INDEX_FILE, built.countries, built.aliases, built.naps, iris
        )
    with progress.step("Describing the dataset (VoID, DCAT)"):
        write_description(built, out, iris, release)


# The columns of the statistics and the reports, described for their CSVW metadata.
_C = csvw.Column
_COUNTRY = [
    _C("iso3", "The country's ISO 3166-1 alpha-3 code.", csvw.ISO3, required=True),
    _C("country", "The country's English short name (data/reference/countries.csv)."),
]
_CATEGORY = _C(
    "category",
    "The category of personnel, a notation of the scheme wps:PersonnelCategoryScheme "
    "(troops, staff-officers, experts-on-mission, individual-police, formed-police-units, "
    "police...).",
    required=True,
)
_MONTH = _C("month", "The month of the figures (the end of the month reported).", "gYearMonth")
_SOURCE = _C(
    "source",
    "The source dataset of the row: the id of its entry in data/sources.csv, described at "
    "the IRI id/source/{source}, with its terms.",
    required=True,
)
_SHARE = _C(
    "share_women",
    "women / personnel, to four decimals; empty where the personnel is 0 or the source's "
    "split by gender is known to be wrong.",
    csvw.SHARE,
)
OBSERVATION_COLUMNS = [
    *_COUNTRY,
    _MONTH,
    _C("mission", "The UN mission's acronym (id/mission/{mission}).", required=True),
    _CATEGORY,
    _C("women", "The women among the personnel.", csvw.COUNT),
    _C("personnel", "The personnel in all, women and men.", csvw.COUNT),
    _SHARE,
    _C(
        "status",
        "Empty, or a notation of wps:ObservationStatusScheme that qualifies the figures "
        "(gender-split-unreliable: the source's split by gender is wrong; printed-as-is: the "
        "source's figures did not add up and are kept as printed).",
    ),
    _SOURCE,
]
TABLES = {
    "contributions-by-mission.csv": (
        "Women and men in UN peacekeeping, by contributing country, mission, month and category",
        "One row per country, mission, month and category: the observations of the dataset "
        "contributions-by-mission, the first source in order of precedence winning each month.",
    ),
    "contributions-by-country.csv": (
        "Women and men in UN peacekeeping, by contributing country, month and category",
        "One row per country, month and category, across all missions: the observations of "
        "the dataset contributions-by-country.",
    ),
    "headcounts-by-country.csv": (
        "Uniformed personnel in UN peacekeeping by contributing country, month and category, "
        "without a split by gender",
        "The months for which the UN's reports give totals without gender.",
    ),
    "stated-contributions.csv": (
        "Contributions to UN peacekeeping stated on public pages about national action plans",
        "One row per country, category and page: figures as a page states them, not the UN's.",
    ),
    "country-nap-status.csv": (
        "Every country's National Action Plan status",
        "One row per country: what is known of its plans, from when, its adopted plans and "
        "the pages and sources that say so.",
    ),
    "parity-targets.csv": (
        "The UN Uniformed Gender Parity Strategy's targets for the share of women",
        "One row per category and year.",
    ),
    "import-report.csv": (
        "What the build read, kept, published, noted and skipped, file by file",
        "One row per source file, kind and reason, with a count and an example.",
    ),
}
COLUMNS = {
    "headcounts-by-country.csv": [
        *_COUNTRY,
        _MONTH,
        _CATEGORY,
        _C("personnel", "The personnel in all.", csvw.COUNT),
        _SOURCE,
    ],
    "stated-contributions.csv": [
        *_COUNTRY,
        _CATEGORY,
        _C("women", "The women, as the page states.", csvw.COUNT),
        _C("personnel", "The personnel in all, as the page states.", csvw.COUNT),
        _SHARE,
        _C(
            "as_of",
            "The date the page gives for the figures (a year, a month or a day), if any.",
            csvw.PARTIAL_DATE,
        ),
        _C("source_url", "The page that states the figures.", "anyURI", required=True),
    ],
    "country-nap-status.csv": [
        *_COUNTRY,
        _C("un", "member, observer, or empty for neither."),
        _C(
            "status",
            "The country's NAP status, a notation of wps:CountryStatusScheme (plan-adopted, "
            "plan-in-development, no-plan-found, not-researched).",
            required=True,
        ),
        _C(
            "evidence_date",
            "The date of the latest evidence for the status (a year, a month or a day).",
            csvw.PARTIAL_DATE,
        ),
        _C("adopted_plans", "The number of adopted plans on record.", csvw.COUNT),
        _C("latest_plan", "The IRI of the latest adopted plan.", "anyURI"),
        _C("latest_plan_start", "The first year of the latest adopted plan.", "gYear"),
        _C(
            "latest_plan_last_year_in_force",
            "The last year in which the latest adopted plan is in force.",
            "gYear",
        ),
        _C(
            "sources",
            "The pages and source datasets (IRIs) behind the status, separated by spaces.",
            "anyURI",
            separator=" ",
        ),
    ],
    "parity-targets.csv": [
        _CATEGORY,
        _C("year", "The year of the target.", "gYear", required=True),
        _C("target_share_women", "The target share of women.", csvw.SHARE, required=True),
        _C("source_url", "The page that states the target.", "anyURI"),
        _SOURCE,
    ],
    "import-report.csv": [
        _C("file", "The source file, relative to the project.", required=True),
        _C(
            "kind",
            "read, usable, published (rows counted), noted (a change made to a row) or "
            "skipped (rows left out).",
            required=True,
        ),
        _C("reason", "Why a row was noted or skipped; empty for the counts."),
        _C("rows", "The number of rows.", csvw.COUNT, required=True),
        _C("example", "An example of the rows, where one helps."),
    ],
}


def described_sources(built: Built) -> set[str]:
    """Return the ids of the sources the graph describes: those a row of data came from.
    A registered source that gave nothing (its file is absent) is not named, so that every
    source IRI a file names dereferences."""
    prefix = Iris(built.settings.base_iri).source("")
    found = built.store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a <{DCAT.Dataset}> "
        f'FILTER STRSTARTS(STR(?s), "{prefix}") }}',
        use_default_graph_as_union=True,
    )
    return {row[0].value.removeprefix(prefix) for row in found}


def write_table(built: Built, path: Path, rows, sources: Iterable[str], columns=None) -> None:
    """Write a CSV and its CSVW metadata: title, terms, sources and every column."""
    columns = columns or COLUMNS[path.name]
    dump.write_csv(path, [c.name for c in columns], rows)
    iris = Iris(built.settings.base_iri, built.settings.public_url)
    description = Description(iris)
    terms = csvw.Terms(LICENSE, description.rights, RIGHTS, description.dataset, TITLE)
    named = set(sources)
    described = [
        csvw.SourceTerms(iris.source(s.id), s.title, s.license, s.rights)
        for s in built.sources
        if s.id in named
    ]
    csvw.write_metadata(path, *TABLES[path.name], columns, terms, described)


def write_statistics(built: Built, folder: Path) -> None:
    folder.mkdir()
    names = {iso3: c.name for iso3, c in built.countries.items()}

    def share(women: int, total: int, status: str = "") -> str:
        # No share where the source's split by gender is known to be wrong.
        if not total or status == "gender-split-unreliable":
            return ""
        return f"{women / total:.4f}"

    def observations(name: str, observations, with_mission: bool) -> None:
        columns = [c for c in OBSERVATION_COLUMNS if with_mission or c.name != "mission"]
        write_table(
            built,
            folder / name,
            (
                {
                    "iso3": o.iso3,
                    "country": names.get(o.iso3, ""),
                    "month": o.month,
                    **({"mission": o.mission} if with_mission else {}),
                    "category": o.category,
                    "women": o.women,
                    "personnel": o.total,
                    "share_women": share(o.women, o.total, o.status),
                    "status": o.status,
                    "source": o.source,
                }
                for o in observations
            ),
            {o.source for o in observations},
            columns,
        )

    observations("contributions-by-mission.csv", built.peacekeeping.by_mission, True)
    observations(
        "contributions-by-country.csv",
        sorted(built.peacekeeping.by_country, key=lambda o: (o.iso3, o.month, o.category)),
        False,
    )
    write_table(
        built,
        folder / "headcounts-by-country.csv",
        (
            {
                "iso3": h.iso3,
                "country": names.get(h.iso3, ""),
                "month": h.month,
                "category": h.category,
                "personnel": h.total,
                "source": h.source,
            }
            for h in sorted(
                built.peacekeeping.headcounts, key=lambda h: (h.iso3, h.month, h.category)
            )
        ),
        {h.source for h in built.peacekeeping.headcounts},
    )
    write_table(
        built,
        folder / "stated-contributions.csv",
        (
            {
                "iso3": f.iso3,
                "country": names.get(f.iso3, ""),
                "category": f.category,
                "women": f.women,
                "personnel": f.total,
                "share_women": share(f.women, f.total),
                "as_of": f.as_of or "",
                "source_url": f.source,
            }
            for f in sorted(built.naps.figures, key=lambda f: (f.iso3, f.category, f.source))
        ),
        {f.dataset for f in built.naps.figures},
    )
    write_country_statuses(built, folder / "country-nap-status.csv")
    write_table(
        built,
        folder / "parity-targets.csv",
        (
            {
                "category": t.category,
                "year": t.year,
                "target_share_women": t.share,
                "source_url": t.source,
                "source": t.dataset,
            }
            for t in sorted(built.peacekeeping.targets, key=lambda t: (t.category, t.year))
        ),
        {t.dataset for t in built.peacekeeping.targets},
    )


def write_country_statuses(built: Built, path: Path) -> None:
    """Write every country's NAP status as a table: what is known, when, and its plans."""
    iris, rows = Iris(built.settings.base_iri, built.settings.public_url), []
    for iso3, status in sorted(built.statuses.items()):
        country = built.countries.get(iso3)
        plans = sorted(
            (p for p in status.plans if p.status == "adopted"),
            key=lambda p: (p.first_year or 0, p.key),
        )
        latest = plans[-1] if plans else None
        rows.append(
            {
                "iso3": iso3,
                "country": country.name if country else "",
                "un": "member"
                if country and country.un_member_since
                else "observer"
                if country and country.un_observer
                else "",
                "status": status.status,
                "evidence_date": status.date or "",
                "adopted_plans": len(plans),
                "latest_plan": iris.plan(iso3, latest.key) if latest else "",
                "latest_plan_start": (latest.first_year or "") if latest else "",
                "latest_plan_last_year_in_force": (latest.last_year_in_force or "")
                if latest
                else "",
                "sources": " ".join(
                    s if s.startswith(("http://", "https://")) else iris.source(s)
                    for s in status.sources
                ),
            }
        )
    # Its sources: those the NAP data names (harvests, curation, the country reference).
    iri_prefix = iris.source("")
    named = set().union(*sources_by_country(built.quads, "naps").values())
    write_table(built, path, rows, {s.removeprefix(iri_prefix) for s in named})


def write_description(built: Built, out: Path, iris: Iris, release: releases.Release) -> None:
    description = Description(iris)
    description.dataset_facts(built.store, built.quads.graphs, built.build_time)
    description.lines += releases.description(iris, release, out)
    # The sources of each dump, as the dump says of itself; of each CSV, as its metadata says.
    sources = description.files_sources(built.store)
    for relative, title in dump.WHOLE_GRAPH.items():
        media_type = formats.from_path(relative)[0].media_type
        description.distribution(
            out / relative,
            relative,
            media_type,
            f"The whole graph, {title}",
            sources.get(iris.download(relative), ()),
        )
    tables = [("Statistics", path) for path in sorted((out / dump.STATISTICS_DIR).iterdir())] + [
        ("Report", path)
        for path in sorted((out / dump.REPORTS_DIR).iterdir())
        if path.suffix == ".csv" or path.name.endswith(csvw.METADATA_SUFFIX)
    ]
    for what, path in tables:
        relative = f"{path.parent.name}/{path.name}"
        table = path.name.removesuffix(csvw.METADATA_SUFFIX)
        if table != path.name:
            media_type, title = csvw.MEDIA_TYPE, f"{what}: {table}, its CSVW metadata"
        else:
            media_type, title = "text/csv", f"{what}: {path.stem.replace('-', ' ')}, CSV"
        derived = csvw.derived_from(csvw.metadata_path(path.with_name(table)))
        description.distribution(path, relative, media_type, title, derived)
    names = {iso3: c.name for iso3, c in built.countries.items()}
    for path in sorted((out / dump.COUNTRIES_DIR).iterdir()):
        relative = f"{dump.COUNTRIES_DIR}/{path.name}"
        description.distribution(
            path,
            relative,
            "text/turtle",
            f"{names.get(path.stem, path.stem)} ({path.stem}), Turtle",
            sources.get(iris.download(relative), ()),
        )
    for name, title in (
        (ONTOLOGY_FILE, "The WPS ontology, Turtle"),
        (SHAPES_FILE, "The SHACL shapes, Turtle"),
    ):
        description.distribution(
            out / dump.ONTOLOGY_DIR / name, f"{dump.ONTOLOGY_DIR}/{name}", "text/turtle", title
        )
    data = dump.ntriples(sorted({line.encode() for line in description.lines}))
    dump.write_rdf(
        out / dump.DESCRIPTION_FILE,
        ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
        ox.RdfFormat.TURTLE,
        dump.data_prefixes(iris),
    )
