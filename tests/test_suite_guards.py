"""Checks on the test suite itself: every HTTP call has a time limit, tests share code through
helpers.py alone, and the README's list of Debian packages is the one .ci/run installs."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

from nap_graph.build import PROJECT_ROOT

# The tests, and the bench helpers they run.
SOURCES = sorted((PROJECT_ROOT / "tests").glob("*.py")) + sorted(
    (PROJECT_ROOT / "bench").glob("*.py")
)
HTTP_METHODS = {"get", "post", "head", "options", "put", "patch", "delete", "request"}


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            yield node


def untimed_http_calls(path: Path) -> list[str]:
    """The calls of requests (module or session) in a file that set no timeout: requests waits
    forever without one."""
    found = []
    for call in calls(path):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in HTTP_METHODS):
            continue
        owner = ast.unparse(func.value)
        if owner != "requests" and "session" not in owner.lower():
            continue
        # A **mapping may carry the timeout; none of ours does, so it does not count.
        if not any(keyword.arg == "timeout" for keyword in call.keywords):
            found.append(f"{path.name}:{call.lineno}: {ast.unparse(func)}(...) has no timeout=")
    return found


def test_every_requests_call_of_the_tests_has_a_timeout():
    found = [line for path in SOURCES for line in untimed_http_calls(path)]
    assert not found, "\n".join(found)


def untimed_sparqlwrappers(path: Path) -> list[str]:
    """The functions of a file that make a SPARQLWrapper and never call its setTimeout: it waits
    as long as urllib does (forever) without one."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            names = {ast.unparse(c.func) for c in ast.walk(function) if isinstance(c, ast.Call)}
            if "SPARQLWrapper" in names and not any(n.endswith(".setTimeout") for n in names):
                found.append(f"{path.name}:{function.lineno}: {function.name}")
    return found


def test_every_sparqlwrapper_client_of_the_tests_has_a_timeout():
    found = [line for path in SOURCES for line in untimed_sparqlwrappers(path)]
    assert not found, "\n".join(found)


def test_the_guards_find_a_call_without_a_timeout(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import requests\n"
        "requests.get(url, timeout=5)\n"
        "requests.post(\n    url,\n    data={},\n)\n"
        "session.head(url)\n"
        "requests.request('GET', url, timeout=(1, 5))\n"
    )
    assert [line.split(": ")[0] for line in untimed_http_calls(sample)] == [
        "sample.py:3",
        "sample.py:7",
    ]
    sample.write_text(
        "def timed():\n    client = SPARQLWrapper(url)\n    client.setTimeout(5)\n"
        "def untimed():\n    client = SPARQLWrapper(url)\n    client.setQuery(q)\n"
    )
    assert untimed_sparqlwrappers(sample) == ["sample.py:4: untimed"]


def imports_of_other_tests(path: Path) -> list[str]:
    """The imports in a file of conftest or of a test module: tests and bench share code
    through tests/helpers.py, and conftest.py holds fixtures only."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            module = name.removeprefix("tests.").split(".")[0]
            if module == "conftest" or module.startswith("test_"):
                found.append(f"{path.name}:{node.lineno}: imports {name}")
    return found


def test_tests_share_code_through_helpers_only(tmp_path):
    found = [line for path in SOURCES for line in imports_of_other_tests(path)]
    assert not found, "\n".join(found)
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from conftest import TIMEOUT\nimport helpers\n"
        "def f():\n    from test_shapes import INVALID\n"
    )
    assert imports_of_other_tests(sample) == [
        "sample.py:1: imports conftest",
        "sample.py:4: imports test_shapes",
    ]


def ci_packages() -> set[str]:
    """The Debian packages that .ci/run installs: the words of its apt-get install commands."""
    script = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    packages = set()
    for command in re.findall(r"apt-get install ([^\n|&;]*)", script):
        words = shlex.split(command, comments=True)
        packages |= {w for w in words if not w.startswith(("-", ">")) and "/dev/null" not in w}
    return packages


def readme_packages() -> set[str]:
    """The Debian packages of the README's `apt install ...`."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"`apt install ([^`]+)`", readme)
    assert len(commands) == 1, commands
    return set(commands[0].split())


def test_the_readme_lists_the_packages_that_ci_installs():
    ci = ci_packages()
    assert {"python3-venv", "raptor2-utils", "chromium", "virtuoso-opensource"} <= ci
    assert readme_packages() == ci
