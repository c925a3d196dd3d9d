"""Real SPARQL stores for the tests, each started on loopback in its own folder and stopped after.

- `OxigraphServer`: the `oxigraph` command of the `oxigraph` package on PyPI (a dev dependency).
- `VirtuosoServer`: Debian's `virtuoso-opensource` (`virtuoso-t`, `isql-vt`), which .ci/run
  installs. It gets its own configuration file (ports, folder, a raised result-row limit) and a
  user with the SPARQL update role, which loads through the digest-protected endpoints.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from helpers import free_port


def required(name: str, found: str | None) -> str:
    """The tool's path; a skip where it is missing, a failure where .ci/run should have put it."""
    if found:
        return found
    if os.environ.get("NAP_GRAPH_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{name} is not installed, and NAP_GRAPH_REQUIRE_TOOLS=1")
    pytest.skip(f"{name} is not installed (.ci/run installs it)")


class ExternalStore:
    """A store process, with the endpoints and credentials that `nap-graph load` is given."""

    name = ""
    query = update = graph_store = ""
    user: str | None = None
    password: str | None = None
    auth: str | None = None

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None
        self.log_path = folder / "store.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.command(), cwd=self.folder, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped:\n{self.log_path.read_text()[-3000:]}")
            try:
                response = requests.get(self.query, params={"query": "ASK {}"}, timeout=2)
                if response.status_code == 200:
                    self.after_start()
                    return
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def after_start(self) -> None:
        pass

    def kill(self) -> None:
        """Stop the store at once, as a crash or a pulled plug would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
        self.log.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if not self.log.closed:
            self.log.close()

    def environment(self) -> dict[str, str]:
        """The variables that give `nap-graph load` and the server this store's credentials."""
        if self.user is None:
            return {}
        return {
            "NAP_GRAPH_STORE_USER": self.user,
            "NAP_GRAPH_STORE_PASSWORD": self.password or "",
            **({"NAP_GRAPH_STORE_AUTH": self.auth} if self.auth else {}),
        }

    def load_arguments(self) -> list[str]:
        arguments = ["--endpoint", self.query, "--update-endpoint", self.update]
        if self.graph_store:
            arguments += ["--graph-store", self.graph_store]
        return arguments


class OxigraphServer(ExternalStore):
    """`oxigraph serve` on disk, without authentication; its own time limit is 30 s."""

    name = "the Oxigraph server"

    def __init__(self, folder: Path):
        super().__init__(folder)
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        self.binary = required(
            "oxigraph (pip install oxigraph)", binary if Path(binary).exists() else None
        )
        self.port = free_port()
        base = f"http://127.0.0.1:{self.port}"
        self.query, self.update, self.graph_store = (
            f"{base}/query",
            f"{base}/update",
            f"{base}/store",
        )

    def command(self) -> list[str]:
        return [
            self.binary,
            "serve",
            "--location",
            str(self.folder / "data"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout-s",
            "30",
        ]


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
NumberOfBuffers = 100000
MaxDirtyBuffers = 75000
MaxQueryMem = 1G
ThreadsPerQuery = 2
MaxSortedTopRows = 100000
TransactionAfterImageLimit = 1500000000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
MaxQueryCostEstimationTime = 400
"""

# The loader's user may read and write graphs; anyone else may only read.
VIRTUOSO_GRANTS = (
    "DB.DBA.USER_CREATE('{user}', '{password}'); "
    'GRANT SPARQL_SELECT TO "{user}"; GRANT SPARQL_UPDATE TO "{user}"; '
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 1); "
    "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{user}', 3);"
)


class VirtuosoServer(ExternalStore):
    """Virtuoso Open Source: reads at /sparql; the loader writes, with digest authentication,
    at /sparql-auth (SPARQL Update) and /sparql-graph-crud-auth (Graph Store Protocol)."""

    name = "Virtuoso"
    user = "napload"
    password = "a-test-password"
    auth = "digest"

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.binary = required(
            "virtuoso-t (Debian virtuoso-opensource)", shutil.which("virtuoso-t")
        )
        self.isql = required("isql-vt (Debian virtuoso-opensource)", shutil.which("isql-vt"))
        self.sql_port, self.http_port = free_port(), free_port()
        base = f"http://127.0.0.1:{self.http_port}"
        self.query = f"{base}/sparql"
        self.update = f"{base}/sparql-auth"
        self.graph_store = f"{base}/sparql-graph-crud-auth"
        (folder / "virtuoso.ini").write_text(
            VIRTUOSO_INI.format(folder=folder, sql_port=self.sql_port, http_port=self.http_port)
        )
        self._granted = False

    def command(self) -> list[str]:
        return [self.binary, "+foreground", "+configfile", str(self.folder / "virtuoso.ini")]

    def after_start(self) -> None:
        if self._granted:
            return
        statement = VIRTUOSO_GRANTS.format(user=self.user, password=self.password)
        result = subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0 or "Error" in result.stdout + result.stderr:
            raise RuntimeError(f"isql could not grant the roles:\n{result.stdout}{result.stderr}")
        self._granted = True
