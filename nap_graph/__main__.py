from nap_graph.cli import cli

cli()
